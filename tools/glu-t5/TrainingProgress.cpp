//===- TrainingProgress.cpp - what a training run shows as it goes --------===//

#include "TrainingProgress.h"

#include "llvm/Support/FormatVariadic.h"
#include "llvm/Support/Process.h"
#include "llvm/Support/raw_ostream.h"

#include <cmath>

using namespace glu::t5;

TrainingProgress::TrainingProgress(int64_t first, int64_t last, int64_t every)
    : first(first), last(last), every(every > 0 ? every : 1),
      terminal(llvm::sys::Process::StandardOutIsDisplayed()), current(first) {}

/// "2:31", "1:02:03".
static std::string clock(double seconds) {
  int64_t s = static_cast<int64_t>(std::lround(std::max(0.0, seconds)));
  if (s >= 3600)
    return llvm::formatv("{0}:{1:D2}:{2:D2}", s / 3600, s / 60 % 60, s % 60);
  return llvm::formatv("{0}:{1:D2}", s / 60, s % 60);
}

/// "6.1k", "950".
static std::string rate(double value) {
  if (value >= 1e4)
    return llvm::formatv("{0:F0}k", value / 1e3);
  if (value >= 1e3)
    return llvm::formatv("{0:F1}k", value / 1e3);
  return llvm::formatv("{0:F0}", value);
}

void TrainingProgress::step(int64_t step, double stepLoss, int64_t tokens,
                            double seconds) {
  bool firstStep = current == first;
  current = step;
  loss = stepLoss;
  double alpha = firstStep ? 1.0 : 0.1;
  stepSeconds = alpha * seconds + (1 - alpha) * stepSeconds;
  tokensPerSecond = alpha * (seconds > 0 ? tokens / seconds : 0) +
                    (1 - alpha) * tokensPerSecond;
  if (terminal) {
    draw();
    return;
  }
  if (step % every == 0 || step == last || firstStep) {
    llvm::outs() << llvm::formatv(
        "step {0}/{1}  loss {2:F4}  {3} tok/s  {4:F0} ms/step  ETA {5}\n", step,
        last, loss, rate(tokensPerSecond), stepSeconds * 1e3,
        clock(stepSeconds * (last - step)));
    llvm::outs().flush();
  }
}

void TrainingProgress::draw() {
  constexpr int64_t width = 24;
  int64_t total = std::max<int64_t>(1, last - first);
  int64_t filled = (current - first) * width / total;
  std::string bar(width, ' ');
  for (int64_t i = 0; i < filled; ++i)
    bar[i] = '=';
  if (filled < width)
    bar[filled] = '>';
  std::string step = std::to_string(current);
  step.insert(0,
              std::to_string(last).size() -
                  std::min(step.size(), std::to_string(last).size()),
              ' ');
  llvm::outs() << llvm::formatv(
      "\rstep {0}/{1} [{2}] loss {3:F4}  {4} tok/s  ETA {5}   ", step, last,
      bar, loss, rate(tokensPerSecond), clock(stepSeconds * (last - current)));
  llvm::outs().flush();
  drawn = true;
}

void TrainingProgress::message(const llvm::Twine &text) {
  if (terminal && drawn)
    llvm::outs() << "\r\x1b[K";
  llvm::outs() << text << "\n";
  if (terminal && drawn)
    draw();
  llvm::outs().flush();
}

void TrainingProgress::finish() {
  if (terminal && drawn)
    llvm::outs() << "\n";
  drawn = false;
  llvm::outs().flush();
}
