//===- MatmulForms.cpp - the forms of linalg.matmul glu uses --------------===//

#include "passes/utils/MatmulForms.h"

#include "mlir/IR/AffineExpr.h"

using namespace mlir;
using namespace mlir::ffn;

SmallVector<AffineMap> mlir::ffn::getMatmulIndexingMaps(MLIRContext *context,
                                                        MatmulForm form,
                                                        bool batched) {
  unsigned first = batched ? 1 : 0;
  AffineExpr m = getAffineDimExpr(first, context),
             n = getAffineDimExpr(first + 1, context),
             k = getAffineDimExpr(first + 2, context);
  SmallVector<AffineExpr> lhs = {m, k}, rhs = {k, n}, out = {m, n};
  if (form == MatmulForm::TransposedLhs)
    lhs = {k, m};
  if (form == MatmulForm::TransposedRhs)
    rhs = {n, k};
  if (batched) {
    AffineExpr batch = getAffineDimExpr(0, context);
    for (SmallVector<AffineExpr> *exprs : {&lhs, &rhs, &out})
      exprs->insert(exprs->begin(), batch);
  }
  unsigned dims = first + 3;
  return {AffineMap::get(dims, 0, lhs, context),
          AffineMap::get(dims, 0, rhs, context),
          AffineMap::get(dims, 0, out, context)};
}

std::optional<MatmulForm>
mlir::ffn::classifyMatmulMaps(ArrayRef<AffineMap> maps, bool batched) {
  if (maps.size() != 3)
    return std::nullopt;
  MLIRContext *context = maps[0].getContext();
  for (MatmulForm form : {MatmulForm::Plain, MatmulForm::TransposedLhs,
                          MatmulForm::TransposedRhs})
    if (ArrayRef<AffineMap>(getMatmulIndexingMaps(context, form, batched)) ==
        maps)
      return form;
  return std::nullopt;
}
