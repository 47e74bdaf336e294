// Stock mlir-opt of LLVM 22 loads the ffn dialect and the glu passes from
// GluPlugin.so. Passes from a pass plugin are registered after mlir-opt has
// parsed its flags, so they are named in --pass-pipeline; --help lists them.
// RUN: mlir-opt %s --load-dialect-plugin=%glu_plugin | FileCheck %s --check-prefix=ROUNDTRIP
// RUN: mlir-opt %s --load-dialect-plugin=%glu_plugin --load-pass-plugin=%glu_plugin --pass-pipeline="builtin.module(convert-ffn-to-linalg)" | FileCheck %s --check-prefix=LOWER
// RUN: mlir-opt %s --load-pass-plugin=%glu_plugin --help | FileCheck %s --check-prefix=HELP
// Without the plugin, stock mlir-opt does not know the dialect.
// RUN: not mlir-opt %s 2>&1 | FileCheck %s --check-prefix=NOPLUGIN

// ROUNDTRIP-LABEL: func.func @swiglu
// ROUNDTRIP: ffn.glu swish %{{.*}}, %{{.*}}, %{{.*}}, %{{.*}} : (tensor<4x16xf32>, tensor<16x24xf32>, tensor<16x24xf32>, tensor<24x16xf32>) -> tensor<4x16xf32>

// LOWER-LABEL: func.func @swiglu
// LOWER-NOT: ffn.glu
// LOWER-COUNT-3: linalg.matmul
// LOWER-NOT: ffn.glu

// HELP-DAG: --convert-ffn-to-linalg
// HELP-DAG: --glu-reference-pipeline

// NOPLUGIN: Dialect `ffn' not found for custom op 'ffn.glu'
func.func @swiglu(%x: tensor<4x16xf32>, %w: tensor<16x24xf32>, %v: tensor<16x24xf32>, %w2: tensor<24x16xf32>) -> tensor<4x16xf32> {
  %y = ffn.glu swish %x, %w, %v, %w2 : (tensor<4x16xf32>, tensor<16x24xf32>, tensor<16x24xf32>, tensor<24x16xf32>) -> tensor<4x16xf32>
  return %y : tensor<4x16xf32>
}
