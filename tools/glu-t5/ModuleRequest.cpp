//===- ModuleRequest.cpp - the options emit and compile share -------------===//

#include "Commands.h"

#include "dialect/FFNDialect.h"
#include "passes/utils/Target.h"

#include "mlir/Dialect/Arith/IR/Arith.h"
#include "mlir/Dialect/Func/IR/FuncOps.h"
#include "mlir/Dialect/Linalg/IR/Linalg.h"
#include "mlir/Dialect/Math/IR/Math.h"
#include "mlir/Dialect/SCF/IR/SCF.h"
#include "mlir/Dialect/Tensor/IR/Tensor.h"
#include "mlir/IR/MLIRContext.h"
#include "mlir/IR/Verifier.h"

#include "llvm/Support/MemoryBuffer.h"
#include "llvm/Support/WithColor.h"

using namespace mlir;
using namespace glu::t5;
namespace cl = llvm::cl;

cl::SubCommand &glu::t5::emitCommand() {
  static cl::SubCommand command(
      "emit", "Write the T5 module of a Hugging Face config.json as MLIR");
  return command;
}

cl::SubCommand &glu::t5::compileCommand() {
  static cl::SubCommand command(
      "compile", "Compile the T5 module of a config.json into a glu artifact "
                 "(with glu-compile)");
  return command;
}

static cl::OptionCategory category("glu-t5 module options");
static cl::opt<std::string>
    configPath("config", cl::Required, cl::desc("Hugging Face config.json"),
               cl::value_desc("file"), cl::sub(emitCommand()),
               cl::sub(compileCommand()), cl::sub(trainCommand()),
               cl::cat(category));
static cl::opt<int64_t> batch("batch", cl::init(1), cl::desc("Batch size"),
                              cl::sub(emitCommand()), cl::sub(compileCommand()),
                              cl::sub(trainCommand()), cl::cat(category));
static cl::opt<int64_t> sourceLength("source-length", cl::init(128),
                                     cl::desc("Encoder sequence length"),
                                     cl::sub(emitCommand()),
                                     cl::sub(compileCommand()),
                                     cl::sub(trainCommand()),
                                     cl::cat(category));
static cl::opt<int64_t> targetLength("target-length", cl::init(32),
                                     cl::desc("Decoder sequence length"),
                                     cl::sub(emitCommand()),
                                     cl::sub(compileCommand()),
                                     cl::sub(trainCommand()),
                                     cl::cat(category));
static cl::opt<int64_t>
    maxDecodeLength("max-decode-length", cl::init(32),
                    cl::desc("decode_step's cache: the most tokens a greedy "
                             "decoding generates"),
                    cl::sub(emitCommand()), cl::sub(compileCommand()),
                    cl::cat(category));
static cl::opt<std::string>
    entries("entries",
            cl::init("encode,decode,loss,loss_and_gradients,train_step,"
                     "decode_step"),
            cl::desc("Entry points, comma separated"), cl::sub(emitCommand()),
            cl::sub(compileCommand()), cl::cat(category));
static cl::opt<std::string>
    optimizer("optimizer", cl::init("adafactor"),
              cl::desc("train_step's optimizer: adafactor (T5's settings) or "
                       "adamw"),
              cl::sub(emitCommand()), cl::sub(compileCommand()),
              cl::sub(trainCommand()), cl::cat(category));
static cl::opt<std::string>
    target("target", cl::init("cpu"),
           cl::desc("The target glu-compile compiles for (cpu, cuda): the "
                    "packed block size follows it"),
           cl::sub(emitCommand()), cl::sub(compileCommand()),
           cl::cat(category));
static cl::opt<bool> packArguments(
    "pack-arguments", cl::init(false),
    cl::desc("Take each gated layer's wi_0 and wi_1 packed: train_step "
             "updates them (and their optimizer state) packed, the other "
             "entry points take them packed through glu-compile's "
             "--pack-arguments"),
    cl::sub(emitCommand()), cl::sub(compileCommand()), cl::sub(trainCommand()),
    cl::cat(category));
static cl::opt<int64_t>
    blockSize("block-size", cl::init(0),
              cl::desc("Columns per packed block (0: the target's default)"),
              cl::sub(emitCommand()), cl::sub(compileCommand()),
              cl::sub(trainCommand()), cl::cat(category));
static cl::opt<int64_t> warmupSteps(
    "warmup-steps", cl::init(10000),
    cl::desc("Adafactor's inverse square root schedule: 1/sqrt(max(step, "
             "N)) (T5: 10^4)"),
    cl::sub(emitCommand()), cl::sub(compileCommand()), cl::sub(trainCommand()),
    cl::cat(category));
static cl::opt<double> weightDecay("weight-decay", cl::init(0.01),
                                   cl::desc("AdamW's decoupled weight decay"),
                                   cl::sub(emitCommand()),
                                   cl::sub(compileCommand()),
                                   cl::sub(trainCommand()), cl::cat(category));

int glu::t5::fail(const llvm::Twine &message, int status) {
  llvm::WithColor::error(llvm::errs(), "glu-t5") << message << "\n";
  return status;
}

int glu::t5::failRequest(llvm::Error error) {
  std::string message = llvm::toString(std::move(error));
  StringRef text = message;
  if (text.consume_front("usage: "))
    return fail(text, UsageFailure);
  return fail(text);
}

static llvm::Error usage(const llvm::Twine &message) {
  return llvm::createStringError("usage: " + message);
}

/// Sets the entry points of `request` from a comma-separated list.
static llvm::Error setEntries(ModuleRequest &request, StringRef entries) {
  T5ModuleOptions &options = request.options;
  options.encode = options.decode = options.loss = options.gradients =
      options.trainStep = options.decodeStep = false;
  request.entries = entries.str();
  SmallVector<StringRef> names;
  entries.split(names, ',', -1, /*KeepEmpty=*/false);
  for (StringRef name : names) {
    name = name.trim();
    if (name == "encode")
      options.encode = true;
    else if (name == "decode")
      options.decode = true;
    else if (name == "loss")
      options.loss = true;
    else if (name == "loss_and_gradients")
      options.gradients = true;
    else if (name == "train_step")
      options.trainStep = true;
    else if (name == "decode_step")
      options.decodeStep = true; // with cross_attention_cache
    else
      return usage("unknown entry point '" + name +
                   "' in --entries (encode, decode, loss, "
                   "loss_and_gradients, train_step, decode_step)");
  }
  return llvm::Error::success();
}

/// Sets the target and the block size (0: the target's default).
static llvm::Error setTarget(ModuleRequest &request, StringRef target,
                             int64_t blockSize) {
  std::optional<ffn::Target> parsedTarget = ffn::parseTarget(target);
  if (!parsedTarget)
    return usage("unknown --target '" + target + "' (cpu, cuda)");
  if (blockSize < 0)
    return usage("--block-size must be positive, got " +
                 llvm::Twine(blockSize));
  request.target = target.str();
  request.blockSize =
      blockSize ? blockSize : ffn::getDefaultBlockSize(*parsedTarget);
  request.options.packBlockSize = request.packArguments ? request.blockSize : 0;
  return llvm::Error::success();
}

static llvm::Error setShapes(ModuleRequest &request, const T5Shapes &shapes) {
  for (auto [name, value] :
       {std::pair<const char *, int64_t>{"--batch", shapes.batch},
        {"--source-length", shapes.sourceLength},
        {"--target-length", shapes.targetLength},
        {"--max-decode-length", shapes.maxDecodeLength}})
    if (value < 1)
      return usage(llvm::Twine(name) + " must be positive, got " +
                   llvm::Twine(value));
  request.shapes = shapes;
  return llvm::Error::success();
}

llvm::Expected<ModuleRequest>
glu::t5::moduleRequestFor(const std::string &configJson, StringRef origin,
                          const T5Shapes &shapes, StringRef entries,
                          StringRef target) {
  ModuleRequest request;
  request.configJson = configJson;
  llvm::Expected<T5Config> config = parseT5Config(configJson, origin);
  if (!config)
    return config.takeError();
  request.config = *config;
  request.packArguments = false;
  request.optimizerName = "adafactor";
  if (llvm::Error err = setShapes(request, shapes))
    return std::move(err);
  if (llvm::Error err = setTarget(request, target, 0))
    return std::move(err);
  if (llvm::Error err = setEntries(request, entries))
    return std::move(err);
  return request;
}

llvm::Expected<ModuleRequest>
glu::t5::readModuleRequest(std::optional<std::string> targetOverride,
                           std::optional<std::string> entriesOverride) {
  auto text = llvm::MemoryBuffer::getFile(configPath);
  if (!text)
    return llvm::createStringError("cannot read %s: %s", configPath.c_str(),
                                   text.getError().message().c_str());
  T5Shapes shapes;
  shapes.batch = batch;
  shapes.sourceLength = sourceLength;
  shapes.targetLength = targetLength;
  shapes.maxDecodeLength = maxDecodeLength;
  llvm::Expected<ModuleRequest> request =
      moduleRequestFor((*text)->getBuffer().str(), configPath, shapes,
                       entriesOverride.value_or(entries.getValue()),
                       targetOverride.value_or(target.getValue()));
  if (!request)
    return request.takeError();
  request->packArguments = packArguments;
  if (llvm::Error err = setTarget(*request, request->target, blockSize))
    return std::move(err);
  std::optional<OptimizerKind> kind = parseOptimizer(optimizer);
  if (!kind)
    return usage("unknown --optimizer '" + optimizer + "' (adafactor, adamw)");
  if (warmupSteps < 1)
    return usage("--warmup-steps must be positive, got " +
                 llvm::Twine(warmupSteps.getValue()));
  request->options.optimizer = *kind;
  request->options.adamW.weightDecay = weightDecay;
  request->options.adafactor.warmupSteps = warmupSteps;
  request->optimizerName = optimizer;
  return request;
}

llvm::Error glu::t5::printModule(const ModuleRequest &request,
                                 llvm::raw_ostream &os) {
  MLIRContext context;
  context.loadDialect<ffn::FFNDialect, func::FuncDialect, linalg::LinalgDialect,
                      tensor::TensorDialect, arith::ArithDialect,
                      math::MathDialect, scf::SCFDialect>();
  OwningOpRef<ModuleOp> module =
      buildT5Module(&context, request.config, request.shapes, request.options);
  if (failed(verify(*module)))
    return llvm::createStringError("the module built for " + configPath +
                                   " does not verify");
  module->print(os);
  os << "\n";
  return llvm::Error::success();
}
