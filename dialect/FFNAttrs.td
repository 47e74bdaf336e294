//===- FFNAttrs.td - ffn dialect attributes ----------------*- tablegen -*-===//

#ifndef GLU_DIALECT_FFN_ATTRS_TD
#define GLU_DIALECT_FFN_ATTRS_TD

include "dialect/FFNDialect.td"
include "mlir/IR/AttrTypeBase.td"
include "mlir/IR/EnumAttr.td"

def FFN_ActivationKind : I32EnumAttr<"ActivationKind",
    "the elementwise function of a feed-forward layer", [
      I32EnumAttrCase<"Relu", 0, "relu">,
      I32EnumAttrCase<"Gelu", 1, "gelu">,
      I32EnumAttrCase<"GeluTanh", 2, "gelu_tanh">,
      I32EnumAttrCase<"Swish", 3, "swish">,
      I32EnumAttrCase<"Sigmoid", 4, "sigmoid">,
      I32EnumAttrCase<"Identity", 5, "identity">
    ]> {
  let cppNamespace = "::mlir::ffn";
  let genSpecializedAttr = 0;
}

def FFN_ActivationAttr : AttrDef<FFN_Dialect, "Activation"> {
  let mnemonic = "activation";
  let summary = "the activation (ungated) or gate (gated) function of a layer";
  let description = [{
    Names the elementwise function applied to the first projection:

    | kind        | f(x)                                                   |
    |-------------|--------------------------------------------------------|
    | `relu`      | max(x, 0)                                              |
    | `gelu`      | x * Phi(x) = 0.5 x (1 + erf(x / sqrt(2)))              |
    | `gelu_tanh` | 0.5 x (1 + tanh(sqrt(2/pi) (x + 0.044715 x^3)))        |
    | `swish`     | x * sigmoid(beta x), beta = 1 unless given (SiLU)      |
    | `sigmoid`   | 1 / (1 + exp(-x))                                      |
    | `identity`  | x                                                      |

    `beta` is accepted only by `swish`, and must be finite and positive.

    Example:

    ```mlir
    #ffn.activation<gelu_tanh>
    #ffn.activation<swish>
    #ffn.activation<swish(beta = 1.702)>
    ```

    Inside `ffn.ffn` and `ffn.glu` the attribute is written without the
    `#ffn.activation<...>` wrapper: `ffn.glu swish(beta = 2.0) %x, ...`.
  }];
  let parameters = (ins
    EnumParameter<FFN_ActivationKind>:$kind,
    APFloatParameter<"the swish slope beta (1 for every other kind)">:$beta
  );
  let builders = [
    AttrBuilder<(ins "ActivationKind":$kind), [{
      return $_get($_ctxt, kind, ::llvm::APFloat(1.0));
    }]>,
    AttrBuilder<(ins "ActivationKind":$kind, "double":$beta), [{
      return $_get($_ctxt, kind, ::llvm::APFloat(beta));
    }]>
  ];
  let hasCustomAssemblyFormat = 1;
  let genVerifyDecl = 1;
  let extraClassDeclaration = [{
    /// The slope of swish as a double; 1.0 for every other kind.
    double getBetaValue() const { return getBeta().convertToDouble(); }
    /// True when beta differs from its default of 1.
    bool hasNonDefaultBeta() const { return getBetaValue() != 1.0; }

    /// Parses `kind` or `swish(beta = <float>)`, the form used inside ops.
    static ::mlir::Attribute parseBody(::mlir::AsmParser &parser);
    /// Prints the form read by parseBody.
    void printBody(::mlir::AsmPrinter &printer) const;
  }];
}

//===----------------------------------------------------------------------===//
// Packed function arguments (ffn-fuse pack-arguments=true)
//===----------------------------------------------------------------------===//

def FFN_OriginalArgumentAttr : AttrDef<FFN_Dialect, "OriginalArgument"> {
  let mnemonic = "original_argument";
  let summary = "one argument of a function as it was before packing";
  let description = [{
    Describes a weight argument that `ffn-fuse pack-arguments=true` replaced
    by a packed argument: its position in the original signature, its name
    (the argument's `ffn.name`, or `argN` when it had none) and its shape
    (rank 1 or 2; `?` for a dynamic size).

    Example:

    ```mlir
    #ffn.original_argument<index = 1, name = "wi_0", shape = [512, 1365]>
    ```

    Inside `#ffn.packed_argument` it is written without the
    `#ffn.original_argument` prefix: `gate = <index = 1, ...>`.
  }];
  let parameters = (ins
    "int64_t":$index,
    StringRefParameter<"the argument's ffn.name, or argN">:$name,
    ArrayRefParameter<"int64_t", "the argument's shape">:$shape
  );
  let assemblyFormat = [{
    `<` `index` `=` $index `,` `name` `=` $name `,`
        `shape` `=` custom<Shape>($shape) `>`
  }];
  let genVerifyDecl = 1;
}

def FFN_PackedArgumentAttr : AttrDef<FFN_Dialect, "PackedArgument"> {
  let mnemonic = "packed_argument";
  let summary = "a function argument that packs a gate and a linear weight";
  let description = [{
    One record of the `ffn.packed_arguments` attribute that
    `ffn-fuse pack-arguments=true` puts on a function: argument `argument`
    (of the new signature) holds the `gate` and `linear` weights of the
    original signature packed by `ffn.pack_gated` with `block_size` columns
    per block (the layout `interleaved_column_blocks` of the artifact's
    manifest). Its type is the originals' with the last size doubled.

    Example:

    ```mlir
    func.func @step(%x: tensor<256x512xf32>, %wv: tensor<512x2730xf32>)
        attributes {ffn.packed_arguments = [#ffn.packed_argument<
          argument = 1, block_size = 64,
          gate = <index = 1, name = "wi_0", shape = [512, 1365]>,
          linear = <index = 2, name = "wi_1", shape = [512, 1365]>>]}
    ```

    The attribute checks itself (a positive block size, non-negative
    indices, gate and linear of one shape); the ffn dialect checks
    `ffn.packed_arguments` against the function's signature.
  }];
  let parameters = (ins
    "int64_t":$argument,
    "int64_t":$block_size,
    AttrParameter<"::mlir::ffn::OriginalArgumentAttr",
                  "the original gate weight">:$gate,
    AttrParameter<"::mlir::ffn::OriginalArgumentAttr",
                  "the original linear weight">:$linear
  );
  let assemblyFormat = "`<` struct(params) `>`";
  let genVerifyDecl = 1;
  let extraClassDeclaration = [{
    /// The shape of the packed argument: the originals' with the last size
    /// doubled (dynamic stays dynamic).
    ::llvm::SmallVector<int64_t> getPackedShape() const;
  }];
}

#endif // GLU_DIALECT_FFN_ATTRS_TD
