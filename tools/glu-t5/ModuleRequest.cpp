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
               cl::sub(compileCommand()), cl::cat(category));
static cl::opt<int64_t> batch("batch", cl::init(1), cl::desc("Batch size"),
                              cl::sub(emitCommand()), cl::sub(compileCommand()),
                              cl::cat(category));
static cl::opt<int64_t> sourceLength("source-length", cl::init(128),
                                     cl::desc("Encoder sequence length"),
                                     cl::sub(emitCommand()),
                                     cl::sub(compileCommand()),
                                     cl::cat(category));
static cl::opt<int64_t> targetLength("target-length", cl::init(32),
                                     cl::desc("Decoder sequence length"),
                                     cl::sub(emitCommand()),
                                     cl::sub(compileCommand()),
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
              cl::cat(category));
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
    cl::sub(emitCommand()), cl::sub(compileCommand()), cl::cat(category));
static cl::opt<int64_t>
    blockSize("block-size", cl::init(0),
              cl::desc("Columns per packed block (0: the target's default)"),
              cl::sub(emitCommand()), cl::sub(compileCommand()),
              cl::cat(category));
static cl::opt<double> weightDecay("weight-decay", cl::init(0.01),
                                   cl::desc("AdamW's decoupled weight decay"),
                                   cl::sub(emitCommand()),
                                   cl::sub(compileCommand()),
                                   cl::cat(category));

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

llvm::Expected<ModuleRequest> glu::t5::readModuleRequest() {
  ModuleRequest request;
  auto text = llvm::MemoryBuffer::getFile(configPath);
  if (!text)
    return llvm::createStringError("cannot read %s: %s", configPath.c_str(),
                                   text.getError().message().c_str());
  request.configJson = (*text)->getBuffer().str();
  llvm::Expected<T5Config> config =
      parseT5Config(request.configJson, configPath);
  if (!config)
    return config.takeError();
  request.config = *config;
  for (auto [name, value, out] :
       {std::tuple<const char *, int64_t, int64_t *>{"--batch", batch,
                                                     &request.shapes.batch},
        {"--source-length", sourceLength, &request.shapes.sourceLength},
        {"--target-length", targetLength, &request.shapes.targetLength},
        {"--max-decode-length", maxDecodeLength,
         &request.shapes.maxDecodeLength}}) {
    if (value < 1)
      return usage(llvm::Twine(name) + " must be positive, got " +
                   llvm::Twine(value));
    *out = value;
  }
  std::optional<ffn::Target> parsedTarget = ffn::parseTarget(target);
  if (!parsedTarget)
    return usage("unknown --target '" + target + "' (cpu, cuda)");
  if (blockSize < 0)
    return usage("--block-size must be positive, got " +
                 llvm::Twine(blockSize.getValue()));
  request.target = target;
  request.packArguments = packArguments;
  request.blockSize = blockSize ? blockSize.getValue()
                                : ffn::getDefaultBlockSize(*parsedTarget);
  T5ModuleOptions &options = request.options;
  options.packBlockSize = packArguments ? request.blockSize : 0;
  options.encode = options.decode = options.loss = options.gradients =
      options.trainStep = options.decodeStep = false;
  std::optional<OptimizerKind> kind = parseOptimizer(optimizer);
  if (!kind)
    return usage("unknown --optimizer '" + optimizer + "' (adafactor, adamw)");
  options.optimizer = *kind;
  options.adamW.weightDecay = weightDecay;
  request.optimizerName = optimizer;
  request.entries = entries;
  SmallVector<StringRef> names;
  StringRef(entries).split(names, ',', -1, /*KeepEmpty=*/false);
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
