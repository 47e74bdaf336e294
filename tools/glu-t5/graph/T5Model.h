//===- T5Model.h - T5's graphs as one MLIR module ---------------*- C++ -*-===//
//
// Builds the module glu-t5 emits: T5ForConditionalGeneration's entry
// points on static shapes, every feed-forward layer an ffn op, everything
// else linalg, tensor, arith, math and scf on tensors:
//
//   encode(params, input_ids, attention_mask) -> encoder_output
//   decode(params, encoder_output, attention_mask, decoder_input_ids)
//       -> logits                                   (teacher forcing)
//   loss(params, input_ids, attention_mask, labels) -> loss
//   loss_and_gradients(...same...) -> loss, d loss / d every parameter
//   cross_attention_cache(params, encoder_output)
//       -> cross_key.<i>, cross_value.<i>, head     (each decoder block's;
//          the head's weight transposed, [D, V])
//   decode_step(params, cross_key.<i>, cross_value.<i>, head, attention_mask,
//               self_key.<i>, self_value.<i>, decoder_input_ids [B],
//               position [])
//       -> logits [B, V], self_key.<i>, self_value.<i>   (greedy decoding:
//          one token a call, the keys and values of the tokens before it
//          cached, max_decode_length of them)
//   train_step(params, optimizer state, step, [learning_rate,] input_ids,
//              attention_mask, labels)
//       -> params, optimizer state, step, loss        (updated in place)
//   (packBlockSize: train_step's wi_0 and wi_1 are one packed argument
//    "<wi_0>+<wi_1>" a layer, their state "<wi_0>.exp_avg+<wi_1>.exp_avg"
//    and the like; Adafactor's column means stay one a weight)
//
// Parameters are arguments named as Hugging Face's checkpoints name them
// (T5Parameters.h); ids and masks are i32, labels i32 with -100 ignored.
//
//===----------------------------------------------------------------------===//

#ifndef GLU_TOOLS_T5_T5MODEL_H
#define GLU_TOOLS_T5_T5MODEL_H

#include "Optimizers.h"
#include "T5Config.h"

#include "mlir/IR/BuiltinOps.h"
#include "mlir/IR/OwningOpRef.h"

namespace glu::t5 {

/// Which entry points to emit.
struct T5ModuleOptions {
  bool encode = true;
  bool decode = true;
  bool loss = true;
  bool gradients = true;
  bool trainStep = true;
  bool decodeStep = true; // cross_attention_cache and decode_step
  OptimizerKind optimizer = OptimizerKind::Adafactor;
  /// Nonzero: train_step takes each gated layer's wi_0 and wi_1, and
  /// their optimizer state, packed in column blocks of this size (the
  /// compile's block size; recorded in ffn.packed_arguments), and updates
  /// them packed.
  int64_t packBlockSize = 0;
  AdamWOptions adamW;
  AdafactorOptions adafactor;
};

/// The module; the context must have the ffn, func, linalg, tensor, arith,
/// math and scf dialects loaded.
mlir::OwningOpRef<mlir::ModuleOp> buildT5Module(mlir::MLIRContext *context,
                                                const T5Config &config,
                                                const T5Shapes &shapes,
                                                const T5ModuleOptions &options);

} // namespace glu::t5

#endif // GLU_TOOLS_T5_T5MODEL_H
