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

#endif // GLU_DIALECT_FFN_ATTRS_TD
