// The addon's JS surface: one function per kernel, plus what the capability
// report needs (OpenBLAS's core, config, version and threads; CPU features;
// which f16 and int8 paths run). Kernels take typed arrays that JS allocated,
// inputs and output, and work in their memory: nothing is copied across the
// boundary. Arguments are checked in binding.h's readers first.
#include <algorithm>

#include "binding.h"

namespace tmnn {

namespace {

constexpr int64_t ANY = -9007199254740991;  // strides may be negative

void same_dtype(const Napi::Env& env, const Array& x, const Array& y, const char* what) {
  if (x.dtype != y.dtype) type_error(env, std::string(what) + ": arrays must share a dtype");
}

void check_op(const Napi::Env& env, int64_t op, int count, const char* what) {
  if (op >= count) range_error(env, std::string(what) + ": unknown op " + std::to_string(op));
}

// unary(op, x, out)
Napi::Value Unary(const Napi::CallbackInfo& info) {
  const Napi::Env env = info.Env();
  const int64_t op = integer(info[0], "op");
  const Array x = array(info[1], "x"), out = array(info[2], "out");
  check_op(env, op, UNARY_COUNT, "unary");
  same_dtype(env, x, out, "unary");
  require(x.length >= out.length, env, "unary: x is shorter than out");
  unary(int(op), x, out);
  return env.Undefined();
}

// binary(op, a, aStrides, b, bStrides, outShape, out): strides 0 along broadcast axes.
Napi::Value Binary(const Napi::CallbackInfo& info) {
  const Napi::Env env = info.Env();
  const int64_t op = integer(info[0], "op");
  const Array a = array(info[1], "a"), b = array(info[3], "b"), out = array(info[6], "out");
  const Shape sa = ints(info[2], "aStrides", ANY), sb = ints(info[4], "bStrides", ANY), shape = ints(info[5], "outShape");
  check_op(env, op, BINARY_COUNT, "binary");
  same_dtype(env, a, b, "binary");
  same_dtype(env, a, out, "binary");
  require(op < BITWISE_AND || a.dtype == I32 || a.dtype == I8, env, "binary: bitwise ops take i32 or i8 arrays");
  require(sa.size() == shape.size() && sb.size() == shape.size(), env, "binary: strides and shape differ in rank");
  require(out.length == size_of(shape) && within(shape, sa, 0, a.length) && within(shape, sb, 0, b.length), env,
          "binary: strides reach outside an operand, or out has the wrong length");
  binary(int(op), a, sa, b, sb, shape, out);
  return env.Undefined();
}

// where(cond, condStrides, a, aStrides, b, bStrides, outShape, out)
Napi::Value Where(const Napi::CallbackInfo& info) {
  const Napi::Env env = info.Env();
  const Array cond = array(info[0], "cond"), a = array(info[2], "a"), b = array(info[4], "b"), out = array(info[7], "out");
  const Shape sc = ints(info[1], "condStrides", ANY), sa = ints(info[3], "aStrides", ANY), sb = ints(info[5], "bStrides", ANY);
  const Shape shape = ints(info[6], "outShape");
  same_dtype(env, a, b, "where");
  same_dtype(env, a, out, "where");
  require(sc.size() == shape.size() && sa.size() == shape.size() && sb.size() == shape.size(), env,
          "where: strides and shape differ in rank");
  require(out.length == size_of(shape) && within(shape, sc, 0, cond.length) && within(shape, sa, 0, a.length) &&
              within(shape, sb, 0, b.length),
          env, "where: strides reach outside an operand, or out has the wrong length");
  where(cond, sc, a, sa, b, sb, shape, out);
  return env.Undefined();
}

// reduce(op, x, outer, inner, out): x [outer, inner] reduced along each row into out [outer];
// reduceColumns(op, x, rows, cols, out): x [rows, cols] down each column into out [cols].
// out is x's dtype, except a float for the mean of ints.
template <void (*Kernel)(int, const Array&, int64_t, int64_t, const Array&), bool Columns>
Napi::Value ReduceAlong(const Napi::CallbackInfo& info) {
  const Napi::Env env = info.Env();
  const char* name = Columns ? "reduceColumns" : "reduce";
  const int64_t op = integer(info[0], "op");
  const Array x = array(info[1], "x"), out = array(info[4], "out");
  const int64_t first = integer(info[2], Columns ? "rows" : "outer"), second = integer(info[3], Columns ? "cols" : "inner");
  check_op(env, op, REDUCE_COUNT, name);
  const bool int_mean = op == MEAN && (x.dtype == I8 || x.dtype == I32);
  if (int_mean ? out.dtype != F32 && out.dtype != F16 : out.dtype != x.dtype)
    type_error(env, std::string(name) + ": out must have x's dtype (a float one for the mean of ints)");
  require(x.length >= first * second && out.length == (Columns ? second : first), env,
          std::string(name) + (Columns ? ": lengths do not match [rows, cols]" : ": lengths do not match [outer, inner]"));
  Kernel(int(op), x, first, second, out);
  return env.Undefined();
}

// argReduce(largest, x, outer, inner, out: Int32Array)
Napi::Value ArgReduce(const Napi::CallbackInfo& info) {
  const Napi::Env env = info.Env();
  const bool largest = boolean(info[0], "largest");
  const Array x = array(info[1], "x"), out = array(info[4], "out");
  const int64_t outer = integer(info[2], "outer"), inner = integer(info[3], "inner");
  if (out.dtype != I32) type_error(env, "argReduce: out must be an Int32Array");
  require(x.length >= outer * inner && out.length == outer, env, "argReduce: lengths do not match [outer, inner]");
  arg_reduce(largest, x, outer, inner, out.as<int32_t>());
  return env.Undefined();
}

// softmax(x, outer, inner, log, out)
Napi::Value Softmax(const Napi::CallbackInfo& info) {
  const Napi::Env env = info.Env();
  const Array x = array(info[0], "x"), out = array(info[4], "out");
  const int64_t outer = integer(info[1], "outer"), inner = integer(info[2], "inner");
  const bool log = boolean(info[3], "log");
  same_dtype(env, x, out, "softmax");
  if (x.dtype != F32 && x.dtype != F16) type_error(env, "softmax: needs f32 or f16");
  require(x.length >= outer * inner && out.length == outer * inner, env, "softmax: lengths do not match [outer, inner]");
  softmax(x, outer, inner, log, out);
  return env.Undefined();
}

// stridedCopy(x, outShape, strides, offset, out)
Napi::Value StridedCopy(const Napi::CallbackInfo& info) {
  const Napi::Env env = info.Env();
  const Array x = array(info[0], "x"), out = array(info[4], "out");
  const Shape shape = ints(info[1], "outShape"), strides = ints(info[2], "strides", ANY);
  const int64_t offset = integer(info[3], "offset");
  same_dtype(env, x, out, "stridedCopy");
  require(strides.size() == shape.size(), env, "stridedCopy: strides and shape differ in rank");
  require(out.length == size_of(shape) && within(shape, strides, offset, x.length), env,
          "stridedCopy: strides reach outside x, or out has the wrong length");
  strided_copy(x, shape, strides, offset, out);
  return env.Undefined();
}

// concat(xs, chunks, outer, out): xs[i] holds `outer` rows of chunks[i] elements.
Napi::Value Concat(const Napi::CallbackInfo& info) {
  const Napi::Env env = info.Env();
  if (!info[0].IsArray()) type_error(env, "concat: xs must be an array of typed arrays");
  const auto list = info[0].As<Napi::Array>();
  const Shape chunks = ints(info[1], "chunks");
  const int64_t outer = integer(info[2], "outer");
  const Array out = array(info[3], "out");
  require(chunks.size() == list.Length(), env, "concat: one chunk size per input");
  std::vector<Array> xs;
  int64_t row = 0;
  for (uint32_t i = 0; i < list.Length(); i++) {
    xs.push_back(array(list.Get(i), "concat input"));
    same_dtype(env, xs.back(), out, "concat");
    require(xs.back().length >= outer * chunks[i], env, "concat: an input is shorter than its chunks");
    row += chunks[i];
  }
  require(out.length == outer * row, env, "concat: out has the wrong length");
  concat(xs, chunks, outer, out);
  return env.Undefined();
}

// cast(x, out): the dtypes are the arrays' own.
Napi::Value Cast(const Napi::CallbackInfo& info) {
  const Array x = array(info[0], "x"), out = array(info[1], "out");
  require(x.length >= out.length, info.Env(), "cast: x is shorter than out");
  cast(x, out);
  return info.Env().Undefined();
}

// oneHot(indices: Int8Array | Int32Array, depth, out)
Napi::Value OneHot(const Napi::CallbackInfo& info) {
  const Napi::Env env = info.Env();
  const Array indices = array(info[0], "indices"), out = array(info[2], "out");
  const int64_t depth = integer(info[1], "depth");
  if (indices.dtype != I8 && indices.dtype != I32) type_error(env, "oneHot: indices must be i8 or i32");
  require(out.length == indices.length * depth, env, "oneHot: out must hold indices × depth");
  one_hot(indices, depth, out);
  return env.Undefined();
}

// scan(op, x, outer, inner, out): running sums or products along the middle axis of [outer, n, inner].
Napi::Value Scan(const Napi::CallbackInfo& info) {
  const Napi::Env env = info.Env();
  const int64_t op = integer(info[0], "op");
  const Array x = array(info[1], "x"), out = array(info[4], "out");
  const int64_t outer = integer(info[2], "outer"), inner = integer(info[3], "inner");
  check_op(env, op, SCAN_COUNT, "scan");
  same_dtype(env, x, out, "scan");
  require(x.length == out.length && (outer * inner == 0 ? out.length == 0 : out.length % (outer * inner) == 0), env,
          "scan: x and out must both be [outer, n, inner]");
  scan(int(op), x, outer, inner, out);
  return env.Undefined();
}

// a × b × c, refused past 2^53 (the largest length JS can name): sizes checked with it cannot wrap.
int64_t product(const Napi::Env& env, int64_t a, int64_t b, int64_t c, const char* what) {
  int64_t p = 0;
  const bool wraps = __builtin_mul_overflow(a, b, &p) || __builtin_mul_overflow(p, c, &p);
  require(!wraps && p <= (int64_t(1) << 53), env, std::string(what) + ": sizes past 2^53");
  return p;
}

// luFactor(a, batch, n, lu, pivots): a and lu Float32Array [batch, n, n], pivots Int32Array [batch, n].
Napi::Value LuFactor(const Napi::CallbackInfo& info) {
  const Napi::Env env = info.Env();
  const Array a = array(info[0], "a"), lu = array(info[3], "lu"), pivots = array(info[4], "pivots");
  const int64_t batch = integer(info[1], "batch"), n = integer(info[2], "n");
  if (a.dtype != F32 || lu.dtype != F32 || pivots.dtype != I32) type_error(env, "luFactor: a and lu must be Float32Arrays, pivots an Int32Array");
  require(n <= std::numeric_limits<int>::max(), env, "luFactor: n past LAPACK's int");
  const int64_t size = product(env, batch, n, n, "luFactor");
  require(a.length >= size && lu.length == size && pivots.length == batch * n, env, "luFactor: lengths do not match [batch, n, n]");
  lu_factor(a.as<float>(), batch, n, lu.as<float>(), pivots.as<int32_t>());
  return env.Undefined();
}

// luSolve(lu, pivots, b, batch, n, k, x): lu [batch, n, n], pivots [batch, n] (each in [0, n)), b and x [batch, n, k].
Napi::Value LuSolve(const Napi::CallbackInfo& info) {
  const Napi::Env env = info.Env();
  const Array lu = array(info[0], "lu"), pivots = array(info[1], "pivots"), b = array(info[2], "b"), x = array(info[6], "x");
  const int64_t batch = integer(info[3], "batch"), n = integer(info[4], "n"), k = integer(info[5], "k");
  if (lu.dtype != F32 || b.dtype != F32 || x.dtype != F32 || pivots.dtype != I32) type_error(env, "luSolve: lu, b and x must be Float32Arrays, pivots an Int32Array");
  require(n <= std::numeric_limits<int>::max() && k <= std::numeric_limits<int>::max(), env, "luSolve: n or k past BLAS's int");
  const int64_t rhs = product(env, batch, n, k, "luSolve");
  require(lu.length >= product(env, batch, n, n, "luSolve") && pivots.length >= batch * n && b.length >= rhs && x.length == rhs, env,
          "luSolve: lengths do not match lu [batch, n, n], pivots [batch, n], b and x [batch, n, k]");
  // A pivot outside the matrix would swap rows outside x.
  const int32_t* p = pivots.as<int32_t>();
  for (int64_t i = 0; i < batch * n; i++) require(p[i] >= 0 && p[i] < n, env, "luSolve: a pivot outside [0, n)");
  lu_solve(lu.as<float>(), p, b.as<float>(), batch, n, k, x.as<float>());
  return env.Undefined();
}

// cholesky(a, batch, n, l): a and l Float32Array [batch, n, n].
Napi::Value Cholesky(const Napi::CallbackInfo& info) {
  const Napi::Env env = info.Env();
  const Array a = array(info[0], "a"), l = array(info[3], "l");
  const int64_t batch = integer(info[1], "batch"), n = integer(info[2], "n");
  if (a.dtype != F32 || l.dtype != F32) type_error(env, "cholesky: a and l must be Float32Arrays");
  require(n <= std::numeric_limits<int>::max(), env, "cholesky: n past LAPACK's int");
  const int64_t size = product(env, batch, n, n, "cholesky");
  require(a.length >= size && l.length == size, env, "cholesky: lengths do not match [batch, n, n]");
  cholesky(a.as<float>(), batch, n, l.as<float>());
  return env.Undefined();
}

// qr(a, batch, m, n, complete, q, r): a Float32Array [batch, m, n], q [batch, m, c] and r [batch, c, n]
// for c = m if complete, else min(m, n).
Napi::Value Qr(const Napi::CallbackInfo& info) {
  const Napi::Env env = info.Env();
  const Array a = array(info[0], "a"), q = array(info[5], "q"), r = array(info[6], "r");
  const int64_t batch = integer(info[1], "batch"), m = integer(info[2], "m"), n = integer(info[3], "n");
  const bool complete = boolean(info[4], "complete");
  if (a.dtype != F32 || q.dtype != F32 || r.dtype != F32) type_error(env, "qr: a, q and r must be Float32Arrays");
  // LAPACK's workspace is 64 ints a column: m and n stay well inside int with it.
  require(m <= (1 << 24) && n <= (1 << 24), env, "qr: m or n past LAPACK's int");
  const int64_t c = complete ? m : std::min(m, n);
  require(a.length >= product(env, batch, m, n, "qr") && q.length == product(env, batch, m, c, "qr") && r.length == product(env, batch, c, n, "qr"), env,
          "qr: lengths do not match a [batch, m, n], q [batch, m, c], r [batch, c, n]");
  qr(a.as<float>(), batch, m, n, complete, q.as<float>(), r.as<float>());
  return env.Undefined();
}

// triangularSolve(a, b, batch, n, k, upper, unit, x): a Float32Array [batch, n, n], b and x [batch, n, k].
Napi::Value TriangularSolve(const Napi::CallbackInfo& info) {
  const Napi::Env env = info.Env();
  const Array a = array(info[0], "a"), b = array(info[1], "b"), x = array(info[7], "x");
  const int64_t batch = integer(info[2], "batch"), n = integer(info[3], "n"), k = integer(info[4], "k");
  const bool upper = boolean(info[5], "upper"), unit = boolean(info[6], "unit");
  if (a.dtype != F32 || b.dtype != F32 || x.dtype != F32) type_error(env, "triangularSolve: a, b and x must be Float32Arrays");
  require(n <= std::numeric_limits<int>::max() && k <= std::numeric_limits<int>::max(), env, "triangularSolve: n or k past BLAS's int");
  const int64_t rhs = product(env, batch, n, k, "triangularSolve");
  require(a.length >= product(env, batch, n, n, "triangularSolve") && b.length >= rhs && x.length == rhs, env,
          "triangularSolve: lengths do not match a [batch, n, n], b and x [batch, n, k]");
  triangular_solve(a.as<float>(), b.as<float>(), batch, n, k, upper, unit, x.as<float>());
  return env.Undefined();
}

// eigh(a, batch, n, values, vectors): a and vectors Float32Array [batch, n, n], values [batch, n].
Napi::Value Eigh(const Napi::CallbackInfo& info) {
  const Napi::Env env = info.Env();
  const Array a = array(info[0], "a"), values = array(info[3], "values"), vectors = array(info[4], "vectors");
  const int64_t batch = integer(info[1], "batch"), n = integer(info[2], "n");
  if (a.dtype != F32 || values.dtype != F32 || vectors.dtype != F32) type_error(env, "eigh: a, values and vectors must be Float32Arrays");
  require(n <= std::numeric_limits<int>::max() / 8, env, "eigh: n past LAPACK's int");
  const int64_t size = product(env, batch, n, n, "eigh");
  require(a.length >= size && vectors.length == size && values.length == batch * n, env, "eigh: lengths do not match [batch, n, n]");
  eigh(a.as<float>(), batch, n, values.as<float>(), vectors.as<float>());
  return env.Undefined();
}

// ldlFactor(a, batch, n, ld, pivots): a and ld Float32Array [batch, n, n], pivots Int32Array [batch, n].
Napi::Value LdlFactor(const Napi::CallbackInfo& info) {
  const Napi::Env env = info.Env();
  const Array a = array(info[0], "a"), ld = array(info[3], "ld"), pivots = array(info[4], "pivots");
  const int64_t batch = integer(info[1], "batch"), n = integer(info[2], "n");
  if (a.dtype != F32 || ld.dtype != F32 || pivots.dtype != I32) type_error(env, "ldlFactor: a and ld must be Float32Arrays, pivots an Int32Array");
  require(n <= (1 << 24), env, "ldlFactor: n past LAPACK's int");
  const int64_t size = product(env, batch, n, n, "ldlFactor");
  require(a.length >= size && ld.length == size && pivots.length == batch * n, env, "ldlFactor: lengths do not match [batch, n, n]");
  ldl_factor(a.as<float>(), batch, n, ld.as<float>(), pivots.as<int32_t>());
  return env.Undefined();
}

// ldlSolve(ld, pivots, b, batch, n, k, x): ld [batch, n, n], pivots [batch, n] as ldlFactor gives them, b and x [batch, n, k].
Napi::Value LdlSolve(const Napi::CallbackInfo& info) {
  const Napi::Env env = info.Env();
  const Array ld = array(info[0], "ld"), pivots = array(info[1], "pivots"), b = array(info[2], "b"), x = array(info[6], "x");
  const int64_t batch = integer(info[3], "batch"), n = integer(info[4], "n"), k = integer(info[5], "k");
  if (ld.dtype != F32 || b.dtype != F32 || x.dtype != F32 || pivots.dtype != I32) type_error(env, "ldlSolve: ld, b and x must be Float32Arrays, pivots an Int32Array");
  require(n <= (1 << 24) && k <= std::numeric_limits<int>::max(), env, "ldlSolve: n or k past LAPACK's int");
  const int64_t rhs = product(env, batch, n, k, "ldlSolve");
  require(ld.length >= product(env, batch, n, n, "ldlSolve") && pivots.length >= batch * n && b.length >= rhs && x.length == rhs, env,
          "ldlSolve: lengths do not match ld [batch, n, n], pivots [batch, n], b and x [batch, n, k]");
  // A pivot outside the matrix, or half a 2 × 2 block, would have ssytrs swap rows outside x.
  const int32_t* p = pivots.as<int32_t>();
  for (int64_t m = 0; m < batch; m++) {
    for (int64_t i = 0; i < n; i++) {
      const int32_t v = p[m * n + i];
      if (v >= 0) {
        require(v < n, env, "ldlSolve: a pivot outside [0, n)");
        continue;
      }
      require(i + 1 < n && p[m * n + i + 1] == v && ~v > i && ~v < n, env, "ldlSolve: a 2 × 2 block's pivots are not a pair naming a row in (k, n)");
      i++;
    }
  }
  ldl_solve(ld.as<float>(), p, b.as<float>(), batch, n, k, x.as<float>());
  return env.Undefined();
}

// eig(a, batch, n, values, vectors): a Float32Array [batch, n, n], values [batch, n, 2], vectors [batch, n, n, 2].
Napi::Value Eig(const Napi::CallbackInfo& info) {
  const Napi::Env env = info.Env();
  const Array a = array(info[0], "a"), values = array(info[3], "values"), vectors = array(info[4], "vectors");
  const int64_t batch = integer(info[1], "batch"), n = integer(info[2], "n");
  if (a.dtype != F32 || values.dtype != F32 || vectors.dtype != F32) type_error(env, "eig: a, values and vectors must be Float32Arrays");
  require(n >= 1 && n <= (1 << 24), env, "eig: n must be in [1, 2^24] (LAPACK's int)");
  const int64_t size = product(env, batch, n, n, "eig");
  require(a.length >= size && vectors.length == 2 * size && values.length == 2 * batch * n, env, "eig: lengths do not match [batch, n, n]");
  eig(a.as<float>(), batch, n, values.as<float>(), vectors.as<float>());
  return env.Undefined();
}

// svd(a, batch, m, n, u, s, vh): a Float32Array [batch, m, n], u [batch, m, k], s [batch, k], vh [batch, k, n], k = min(m, n).
Napi::Value Svd(const Napi::CallbackInfo& info) {
  const Napi::Env env = info.Env();
  const Array a = array(info[0], "a"), u = array(info[4], "u"), s = array(info[5], "s"), vh = array(info[6], "vh");
  const int64_t batch = integer(info[1], "batch"), m = integer(info[2], "m"), n = integer(info[3], "n");
  if (a.dtype != F32 || u.dtype != F32 || s.dtype != F32 || vh.dtype != F32) type_error(env, "svd: a, u, s and vh must be Float32Arrays");
  require(m <= std::numeric_limits<int>::max() / 8 && n <= std::numeric_limits<int>::max() / 8, env, "svd: m or n past LAPACK's int");
  const int64_t k = std::min(m, n);
  require(a.length >= product(env, batch, m, n, "svd") && u.length == product(env, batch, m, k, "svd") && s.length == batch * k &&
              vh.length == product(env, batch, k, n, "svd"),
          env, "svd: lengths do not match a [batch, m, n], u [batch, m, k], s [batch, k], vh [batch, k, n]");
  svd(a.as<float>(), batch, m, n, u.as<float>(), s.as<float>(), vh.as<float>());
  return env.Undefined();
}


// gather(x, indices, outer, inner, out): x [outer, n, inner], out [outer, indices, inner].
Napi::Value Gather(const Napi::CallbackInfo& info) {
  const Napi::Env env = info.Env();
  const Array x = array(info[0], "x"), indices = array(info[1], "indices"), out = array(info[4], "out");
  const int64_t outer = integer(info[2], "outer"), inner = integer(info[3], "inner");
  if (indices.dtype != I8 && indices.dtype != I32) type_error(env, "gather: indices must be i8 or i32");
  same_dtype(env, x, out, "gather");
  require(outer > 0 && inner > 0 && x.length % product(env, outer, inner, 1, "gather") == 0, env, "gather: x does not split into outer × n × inner");
  require(out.length == product(env, outer, indices.length, inner, "gather"), env, "gather: out must hold outer × indices × inner");
  gather_rows(x, indices, outer, x.length / (outer * inner), inner, out);
  return env.Undefined();
}

// scatterAdd(dy, indices, outer, n, inner, out): Float32Arrays dy [outer, indices, inner] and out [outer, n, inner].
Napi::Value ScatterAdd(const Napi::CallbackInfo& info) {
  const Napi::Env env = info.Env();
  const Array dy = array(info[0], "dy"), indices = array(info[1], "indices"), out = array(info[5], "out");
  const int64_t outer = integer(info[2], "outer"), n = integer(info[3], "n"), inner = integer(info[4], "inner");
  if (indices.dtype != I8 && indices.dtype != I32) type_error(env, "scatterAdd: indices must be i8 or i32");
  if (dy.dtype != F32 || out.dtype != F32) type_error(env, "scatterAdd: dy and out must be Float32Arrays");
  require(dy.length == product(env, outer, indices.length, inner, "scatterAdd"), env, "scatterAdd: dy must hold outer × indices × inner");
  require(out.length == product(env, outer, n, inner, "scatterAdd"), env, "scatterAdd: out must hold outer × n × inner");
  scatter_add_rows(dy.as<float>(), indices, outer, n, inner, out.as<float>());
  return env.Undefined();
}

// lstmCell(z, c, hidden, out): Float32Arrays z [B, 4H], c [B, H], out [2, B, H].
Napi::Value LstmCell(const Napi::CallbackInfo& info) {
  const Napi::Env env = info.Env();
  const Array z = array(info[0], "z"), c = array(info[1], "c"), out = array(info[3], "out");
  const int64_t hidden = integer(info[2], "hidden");
  if (z.dtype != F32 || c.dtype != F32 || out.dtype != F32) type_error(env, "lstmCell: z, c and out must be Float32Arrays");
  require(hidden > 0 && c.length % hidden == 0 && z.length == 4 * c.length && out.length == 2 * c.length, env, "lstmCell: z must be [B, 4H], c [B, H] and out [2, B, H]");
  lstm_cell(z.as<float>(), c.as<float>(), c.length / hidden, hidden, out.as<float>());
  return env.Undefined();
}

// lstmCellGrad(z, c, dy, hidden, out): Float32Arrays z [B, 4H], c [B, H], dy [2, B, H], out [B·4H + B·H].
Napi::Value LstmCellGrad(const Napi::CallbackInfo& info) {
  const Napi::Env env = info.Env();
  const Array z = array(info[0], "z"), c = array(info[1], "c"), dy = array(info[2], "dy"), out = array(info[4], "out");
  const int64_t hidden = integer(info[3], "hidden");
  if (z.dtype != F32 || c.dtype != F32 || dy.dtype != F32 || out.dtype != F32) type_error(env, "lstmCellGrad: z, c, dy and out must be Float32Arrays");
  require(hidden > 0 && c.length % hidden == 0 && z.length == 4 * c.length && dy.length == 2 * c.length && out.length == 5 * c.length, env,
          "lstmCellGrad: z must be [B, 4H], c [B, H], dy [2, B, H] and out [B·5H]");
  lstm_cell_grad(z.as<float>(), c.as<float>(), dy.as<float>(), c.length / hidden, hidden, out.as<float>());
  return env.Undefined();
}

// gruCell(xw, hw, h, out): Float32Arrays xw [B, 3H], hw [B, 3H], h [B, H], out [B, H].
Napi::Value GruCell(const Napi::CallbackInfo& info) {
  const Napi::Env env = info.Env();
  const Array xw = array(info[0], "xw"), hw = array(info[1], "hw"), h = array(info[2], "h"), out = array(info[4], "out");
  const int64_t hidden = integer(info[3], "hidden");
  if (xw.dtype != F32 || hw.dtype != F32 || h.dtype != F32 || out.dtype != F32) type_error(env, "gruCell: xw, hw, h and out must be Float32Arrays");
  require(hidden > 0 && h.length % hidden == 0 && xw.length == 3 * h.length && hw.length == 3 * h.length && out.length == h.length, env,
          "gruCell: xw and hw must be [B, 3H], h and out [B, H]");
  gru_cell(xw.as<float>(), hw.as<float>(), h.as<float>(), h.length / hidden, hidden, out.as<float>());
  return env.Undefined();
}

// gruCellGrad(xw, hw, h, dy, hidden, out): Float32Arrays xw [B, 3H], hw [B, 3H], h [B, H], dy [B, H], out [B·3H + B·3H + B·H].
Napi::Value GruCellGrad(const Napi::CallbackInfo& info) {
  const Napi::Env env = info.Env();
  const Array xw = array(info[0], "xw"), hw = array(info[1], "hw"), h = array(info[2], "h"), dy = array(info[3], "dy"), out = array(info[5], "out");
  const int64_t hidden = integer(info[4], "hidden");
  if (xw.dtype != F32 || hw.dtype != F32 || h.dtype != F32 || dy.dtype != F32 || out.dtype != F32) type_error(env, "gruCellGrad: xw, hw, h, dy and out must be Float32Arrays");
  require(hidden > 0 && h.length % hidden == 0 && xw.length == 3 * h.length && hw.length == 3 * h.length && dy.length == h.length && out.length == 7 * h.length, env,
          "gruCellGrad: xw and hw must be [B, 3H], h and dy [B, H] and out [B·7H]");
  gru_cell_grad(xw.as<float>(), hw.as<float>(), h.as<float>(), dy.as<float>(), h.length / hidden, hidden, out.as<float>());
  return env.Undefined();
}

// ctc(lp, targets, inputLengths, targetLengths, frames, classes, blank, withGrad, out): lp Float32Array [frames, batch, classes],
// targets Int32Array [batch, labels], the lengths Int32Arrays [batch], out Float32Array [batch] (+ [frames, batch, classes] withGrad).
Napi::Value Ctc(const Napi::CallbackInfo& info) {
  const Napi::Env env = info.Env();
  const Array lp = array(info[0], "lp"), targets = array(info[1], "targets"), inputs = array(info[2], "inputLengths"), lengths = array(info[3], "targetLengths"),
              out = array(info[8], "out");
  const int64_t frames = integer(info[4], "frames", 1), classes = integer(info[5], "classes", 1), blank = integer(info[6], "blank");
  const bool with_grad = boolean(info[7], "withGrad");
  if (lp.dtype != F32 || out.dtype != F32) type_error(env, "ctc: lp and out must be Float32Arrays");
  if (targets.dtype != I32 || inputs.dtype != I32 || lengths.dtype != I32) type_error(env, "ctc: targets and the lengths must be Int32Arrays");
  const int64_t batch = inputs.length;
  require(batch > 0 && lengths.length == batch && lp.length == product(env, frames, batch, classes, "ctc") && targets.length % batch == 0 && blank < classes, env,
          "ctc: lp must be [frames, batch, classes], targets [batch, labels] and the lengths [batch], the blank a class");
  const int64_t labels = targets.length / batch;
  const int32_t *in = inputs.as<int32_t>(), *len = lengths.as<int32_t>();
  for (int64_t n = 0; n < batch; n++) require(in[n] >= 1 && in[n] <= frames && len[n] >= 0 && len[n] <= labels, env, "ctc: a length is outside its frames or labels");
  require(out.length == batch + (with_grad ? lp.length : 0), env, "ctc: out must hold batch losses (then frames × batch × classes gradients)");
  float* grad = with_grad ? out.as<float>() + batch : nullptr;
  if (grad) std::fill(grad, grad + lp.length, 0.0f);
  ctc({lp.as<float>(), targets.as<int32_t>(), in, len, frames, batch, classes, labels, int32_t(blank)}, out.as<float>(), grad);
  return env.Undefined();
}

#ifdef TMNN_KISSFFT
// fftComplex(x, rows, n, inverse, scale, out): x and out Float32Array [rows, n, 2]; fftRealForward(x, rows, n, scale, out):
// x [rows, n], out [rows, n/2 + 1, 2]; fftRealInverse(x, rows, n, scale, out): x [rows, n/2 + 1, 2], out [rows, n]. n even
// for the real ones; below 2^31 (KissFFT's int).
enum class FftKind { Complex, RealForward, RealInverse };

template <FftKind Kind>
Napi::Value Fft(const Napi::CallbackInfo& info) {
  const Napi::Env env = info.Env();
  const bool complex = Kind == FftKind::Complex;
  const Array x = array(info[0], "x"), out = array(info[complex ? 5 : 4], "out");
  const int64_t rows = integer(info[1], "rows"), n = integer(info[2], "n", 1);
  const Napi::Value scale_arg = info[complex ? 4 : 3];
  if (!scale_arg.IsNumber()) type_error(env, "fft: scale must be a number");
  const double scale = scale_arg.As<Napi::Number>().DoubleValue();
  if (x.dtype != F32 || out.dtype != F32) type_error(env, "fft: x and out must be Float32Arrays");
  require(n < (int64_t(1) << 31), env, "fft: n must be below 2^31");
  require(Kind == FftKind::Complex || n % 2 == 0, env, "fft: a real transform's n must be even");
  const int64_t in_row = Kind == FftKind::RealForward ? n : Kind == FftKind::RealInverse ? 2 * (n / 2 + 1) : 2 * n;
  const int64_t out_row = Kind == FftKind::RealInverse ? n : Kind == FftKind::RealForward ? 2 * (n / 2 + 1) : 2 * n;
  require(x.length >= product(env, rows, in_row, 1, "fft") && out.length >= product(env, rows, out_row, 1, "fft"), env,
          "fft: x and out are shorter than rows transforms of size n");
  const float *x_begin = x.as<float>(), *out_begin = out.as<float>();
  require(x_begin + x.length <= out_begin || out_begin + out.length <= x_begin, env, "fft: x and out must not share memory");
  const bool inverse = Kind == FftKind::Complex && boolean(info[3], "inverse");
  bool ok = true;
  if (rows > 0) {
    if (Kind == FftKind::Complex) ok = fft_complex(x.as<float>(), out.as<float>(), rows, n, inverse, float(scale));
    else if (Kind == FftKind::RealForward) ok = fft_real_forward(x.as<float>(), out.as<float>(), rows, n, float(scale));
    else ok = fft_real_inverse(x.as<float>(), out.as<float>(), rows, n, float(scale));
  }
  if (!ok) range_error(env, "fft: out of memory for a plan of size " + std::to_string(n));
  return env.Undefined();
}
#endif

// treeWalk(x, features, thresholds, next, roots, values, rows, cols, depth, reduction, out): x Float32Array [rows, cols], the
// node tables features Int32Array [nodes], thresholds Float32Array [nodes], next Int32Array [nodes·4], roots Int32Array
// [trees], the leaves' values Float32Array [nodes, k], reduction 0 sum, 1 min, 2 max, out Float32Array [rows, k].
Napi::Value TreeWalk(const Napi::CallbackInfo& info) {
  const Napi::Env env = info.Env();
  const Array x = array(info[0], "x"), features = array(info[1], "features"), thresholds = array(info[2], "thresholds"), next = array(info[3], "next"),
              roots = array(info[4], "roots"), values = array(info[5], "values"), out = array(info[10], "out");
  const int64_t rows = integer(info[6], "rows"), cols = integer(info[7], "cols"), depth = integer(info[8], "depth"), reduction = integer(info[9], "reduction");
  if (x.dtype != F32 || thresholds.dtype != F32 || values.dtype != F32 || out.dtype != F32) type_error(env, "treeWalk: x, thresholds, values and out must be Float32Arrays");
  if (features.dtype != I32 || next.dtype != I32 || roots.dtype != I32) type_error(env, "treeWalk: features, next and roots must be Int32Arrays");
  const int64_t nodes = features.length, trees = roots.length;
  require(rows >= 0 && cols >= 0 && depth >= 0 && x.length == product(env, rows, cols, 1, "treeWalk") && thresholds.length == nodes && next.length == nodes * 4, env,
          "treeWalk: x must be [rows, cols], thresholds [nodes] and next [nodes × 4]");
  require(reduction >= 0 && reduction <= 2, env, "treeWalk: reduction must be 0 (sum), 1 (min) or 2 (max)");
  require(nodes > 0 ? values.length % nodes == 0 : values.length == 0, env, "treeWalk: values must be [nodes, k]");
  const int64_t k = nodes > 0 ? int64_t(values.length) / nodes : 0;
  require(out.length == product(env, rows, k, 1, "treeWalk"), env, "treeWalk: out must hold rows × k");
  const int32_t *f = features.as<int32_t>(), *to = next.as<int32_t>(), *r = roots.as<int32_t>();
  // Checked once here so that the walk reads no index outside its table (features only where a step reads one).
  const auto within = [](const int32_t* v, int64_t n, int64_t end) { return std::all_of(v, v + n, [end](int32_t i) { return i >= 0 && i < end; }); };
  require(depth == 0 || rows == 0 || within(f, nodes, cols), env, "treeWalk: a node's feature is outside x's columns");
  require(within(to, nodes * 4, nodes) && within(r, trees, nodes), env, "treeWalk: a next entry or a root is not a node");
  tree_walk({x.as<float>(), f, thresholds.as<float>(), to, r, values.as<float>(), rows, cols, nodes, trees, depth, k, TreeReduction(reduction)}, out.as<float>());
  return env.Undefined();
}

// searchSorted(sorted, values, rows, right, out): sorted [rows, n] and values [rows, m] both Float32Arrays or both
// Int32Arrays, out Int32Array [rows, m].
Napi::Value SearchSorted(const Napi::CallbackInfo& info) {
  const Napi::Env env = info.Env();
  const Array sorted = array(info[0], "sorted"), values = array(info[1], "values"), out = array(info[4], "out");
  const int64_t rows = integer(info[2], "rows");
  const bool right = boolean(info[3], "right");
  if ((sorted.dtype != F32 && sorted.dtype != I32) || values.dtype != sorted.dtype) type_error(env, "searchSorted: sorted and values must be both Float32Arrays or both Int32Arrays");
  if (out.dtype != I32) type_error(env, "searchSorted: out must be an Int32Array");
  require(rows == 0 ? sorted.length == 0 && values.length == 0 : sorted.length % rows == 0 && values.length % rows == 0, env,
          "searchSorted: sorted and values must each hold rows of equal length");
  require(out.length == values.length, env, "searchSorted: out must be as long as values");
  search_sorted(sorted, values, rows, right, out.as<int32_t>());
  return env.Undefined();
}

// allPole(v, rows, a, out): v and out Float32Arrays [rows, n], a Float32Array [a1 … ap]: out = v − Σ ak·out shifted by k.
Napi::Value AllPole(const Napi::CallbackInfo& info) {
  const Napi::Env env = info.Env();
  const Array v = array(info[0], "v"), a = array(info[2], "a"), out = array(info[3], "out");
  const int64_t rows = integer(info[1], "rows");
  if (v.dtype != F32 || a.dtype != F32 || out.dtype != F32) type_error(env, "allPole: v, a and out must be Float32Arrays");
  require(rows > 0 && v.length % rows == 0 && out.length == v.length, env, "allPole: v and out must both hold rows of equal length");
  all_pole(v.as<float>(), rows, v.length / rows, a.as<float>(), a.length, out.as<float>());
  return env.Undefined();
}

// sortIndices(x, n, k, descending, out): x Float32Array [rows, n], out Int32Array [rows, k].
Napi::Value SortIndices(const Napi::CallbackInfo& info) {
  const Napi::Env env = info.Env();
  const Array x = array(info[0], "x"), out = array(info[4], "out");
  const int64_t n = integer(info[1], "n"), k = integer(info[2], "k");
  const bool descending = boolean(info[3], "descending");
  if (x.dtype != F32 || out.dtype != I32) type_error(env, "sortIndices: x must be a Float32Array and out an Int32Array");
  require(n > 0 && k >= 0 && k <= n && x.length % n == 0, env, "sortIndices: x does not split into rows of n, or k is not within [0, n]");
  require(out.length == product(env, x.length / n, k, 1, "sortIndices"), env, "sortIndices: out must hold rows × k");
  sort_indices(x.as<float>(), x.length / n, n, k, descending, out.as<int32_t>());
  return env.Undefined();
}

// windowMax(x, table, outer, taps, out): Float32Arrays x [outer, n] and out [outer, windows], table Int32Array [windows, taps].
Napi::Value WindowMax(const Napi::CallbackInfo& info) {
  const Napi::Env env = info.Env();
  const Array x = array(info[0], "x"), table = array(info[1], "table"), out = array(info[4], "out");
  const int64_t outer = integer(info[2], "outer"), taps = integer(info[3], "taps");
  if (x.dtype != F32 || out.dtype != F32) type_error(env, "windowMax: x and out must be Float32Arrays");
  if (table.dtype != I32) type_error(env, "windowMax: table must be an Int32Array");
  require(outer > 0 && taps > 0 && x.length % outer == 0 && table.length % taps == 0, env, "windowMax: x does not split into outer rows, or table into rows of taps");
  require(out.length == product(env, outer, table.length / taps, 1, "windowMax"), env, "windowMax: out must hold outer × windows");
  window_max(x.as<float>(), outer, x.length / outer, table.as<int32_t>(), table.length / taps, taps, out.as<float>());
  return env.Undefined();
}

// windowMaxGrad(x, y, dy, table, taps, out): Float32Arrays x and out [outer, n], y and dy [outer, windows]; table Int32Array [windows, taps].
Napi::Value WindowMaxGrad(const Napi::CallbackInfo& info) {
  const Napi::Env env = info.Env();
  const Array x = array(info[0], "x"), y = array(info[1], "y"), dy = array(info[2], "dy"), table = array(info[3], "table"), out = array(info[5], "out");
  const int64_t taps = integer(info[4], "taps");
  if (x.dtype != F32 || y.dtype != F32 || dy.dtype != F32 || out.dtype != F32) type_error(env, "windowMaxGrad: x, y, dy and out must be Float32Arrays");
  if (table.dtype != I32) type_error(env, "windowMaxGrad: table must be an Int32Array");
  require(taps > 0 && table.length % taps == 0 && table.length > 0, env, "windowMaxGrad: table does not split into rows of taps");
  const int64_t windows = table.length / taps;
  require(y.length == dy.length && y.length % windows == 0 && out.length == x.length, env, "windowMaxGrad: y and dy must be [outer, windows], out x's length");
  const int64_t outer = y.length / windows;
  require(outer > 0 && x.length % outer == 0, env, "windowMaxGrad: x does not split into outer rows");
  window_max_grad(x.as<float>(), y.as<float>(), dy.as<float>(), outer, x.length / outer, table.as<int32_t>(), windows, taps, out.as<float>());
  return env.Undefined();
}

// conv2d(kind, a, b, geometry, out): kind 0 y = conv(x = a, w = b), 1 dx from (dy = a, w = b), 2 dw from (x = a, dy = b);
// geometry the sixteen integers of ConvGeometry in order; f32 (Float32Array) or f16 (Uint16Array) throughout.
Napi::Value Conv2d(const Napi::CallbackInfo& info) {
  const Napi::Env env = info.Env();
  const int64_t kind = integer(info[0], "kind");
  const Array a = array(info[1], "a"), b = array(info[2], "b"), out = array(info[4], "out");
  const Shape s = ints(info[3], "geometry");
  require(kind <= 2 && s.size() == 16, env, "conv2d: kind must be 0, 1 or 2 and geometry sixteen integers");
  const ConvGeometry g{s[0], s[1], s[2], s[3], s[4], s[5], s[6], s[7], s[8], s[9], s[10], s[11], s[12], s[13], s[14], s[15]};
  require(g.channels > 0 && g.filters > 0 && g.groups > 0 && g.channels % g.groups == 0 && g.filters % g.groups == 0, env,
          "conv2d: groups must divide channels and filters");
  require(g.height > 0 && g.width > 0 && g.kh > 0 && g.kw > 0 && g.stride_h > 0 && g.stride_w > 0 && g.dilation_h > 0 &&
              g.dilation_w > 0 && g.out_h > 0 && g.out_w > 0,
          env, "conv2d: sizes, strides and dilations must be positive");
  const int64_t xs = product(env, product(env, g.batch, g.channels, g.height, "conv2d"), g.width, 1, "conv2d");
  const int64_t ws = product(env, product(env, g.filters, g.per_group(), g.kh, "conv2d"), g.kw, 1, "conv2d");
  const int64_t ys = product(env, product(env, g.batch, g.filters, g.out_h, "conv2d"), g.out_w, 1, "conv2d");
  // sgemm takes int sizes: a group's filters, taps and positions, and one image's planes.
  const int64_t most = int64_t(std::numeric_limits<int>::max());
  require(g.taps() <= most && g.positions() <= most && g.channels * g.height * g.width <= most && g.filters * g.positions() <= most, env,
          "conv2d: an image or its output past 2^31 values");
  const int64_t lengths[3][3] = {{xs, ws, ys}, {ys, ws, xs}, {xs, ys, ws}};
  const int64_t* want = lengths[kind];
  require(a.length == want[0] && b.length == want[1] && out.length == want[2], env, "conv2d: arrays do not match the geometry");
  require(a.dtype == b.dtype && b.dtype == out.dtype && (a.dtype == F32 || a.dtype == F16), env, "conv2d: a, b and out must be all Float32Arrays or all Uint16Arrays (f16)");
  auto run = [&](const float* fa, const float* fb, float* fo) {
    if (kind == 0) conv2d(fa, fb, g, fo);
    else if (kind == 1) conv2d_input_grad(fa, fb, g, fo);
    else conv2d_weight_grad(fa, fb, g, fo);
  };
  if (a.dtype == F32) {
    run(a.as<float>(), b.as<float>(), out.as<float>());
  } else {  // f16: computed in f32, rounded once, as matmul does
    std::vector<float> fa(a.length), fb(b.length), fo(out.length);
    f16_to_f32(a.as<uint16_t>(), fa.data(), a.length);
    f16_to_f32(b.as<uint16_t>(), fb.data(), b.length);
    run(fa.data(), fb.data(), fo.data());
    f32_to_f16(fo.data(), out.as<uint16_t>(), out.length);
  }
  return env.Undefined();
}

// adam(p, g, m, v, pOut, mOut, vOut, beta1, beta2, stepSize, epsilonHat, l2, decay): Float32Arrays, outputs of one length.
Napi::Value Adam(const Napi::CallbackInfo& info) {
  const Napi::Env env = info.Env();
  const char* names[] = {"p", "g", "m", "v", "pOut", "mOut", "vOut"};
  Array a[7];
  for (int i = 0; i < 7; i++) {
    a[i] = array(info[i], names[i]);
    if (a[i].dtype != F32) type_error(env, std::string("adam: ") + names[i] + " must be a Float32Array");
  }
  const int64_t n = a[4].length;
  require(a[5].length == n && a[6].length == n, env, "adam: the outputs differ in length");
  for (int i = 0; i < 4; i++) require(a[i].length >= n, env, std::string("adam: ") + names[i] + " is shorter than the outputs");
  double h[6];
  for (int i = 0; i < 6; i++) {
    if (!info[7 + i].IsNumber()) type_error(env, "adam: beta1, beta2, stepSize, epsilonHat, l2 and decay must be numbers");
    h[i] = info[7 + i].As<Napi::Number>().DoubleValue();
  }
  adam(a[0].as<float>(), a[1].as<float>(), a[2].as<float>(), a[3].as<float>(), a[4].as<float>(), a[5].as<float>(),
       a[6].as<float>(), n, AdamStep{h[0], h[1], h[2], h[3], h[4], h[5]});
  return env.Undefined();
}

// sgd(p, g, v | null, pOut, vOut | null, lr, momentum, nesterov, weightDecay): Float32Arrays, outputs of one length;
// v null on the first step, vOut null without momentum.
Napi::Value Sgd(const Napi::CallbackInfo& info) {
  const Napi::Env env = info.Env();
  const char* names[] = {"p", "g", "v", "pOut", "vOut"};
  Array a[5];
  bool present[5];
  for (int i = 0; i < 5; i++) {
    present[i] = !info[i].IsNull();
    if (!present[i] && i != 2 && i != 4) type_error(env, std::string("sgd: ") + names[i] + " must be a Float32Array");
    if (!present[i]) continue;
    a[i] = array(info[i], names[i]);
    if (a[i].dtype != F32) type_error(env, std::string("sgd: ") + names[i] + " must be a Float32Array");
  }
  const int64_t n = a[3].length;
  require(!present[4] || a[4].length == n, env, "sgd: the outputs differ in length");
  for (int i = 0; i < 3; i++) require(!present[i] || a[i].length >= n, env, std::string("sgd: ") + names[i] + " is shorter than the outputs");
  if (!info[5].IsNumber() || !info[6].IsNumber() || !info[7].IsBoolean() || !info[8].IsNumber()) {
    type_error(env, "sgd: lr, momentum and weightDecay must be numbers, nesterov a boolean");
  }
  const SgdStep h{info[5].As<Napi::Number>().DoubleValue(), info[6].As<Napi::Number>().DoubleValue(),
                  info[8].As<Napi::Number>().DoubleValue(), info[7].As<Napi::Boolean>().Value()};
  sgd(a[0].as<float>(), a[1].as<float>(), present[2] ? a[2].as<float>() : nullptr, a[3].as<float>(),
      present[4] ? a[4].as<float>() : nullptr, n, h);
  return env.Undefined();
}

// f16ToF32(Uint16Array, Float32Array), f32ToF16(Float32Array, Uint16Array)
Napi::Value F16ToF32(const Napi::CallbackInfo& info) {
  const Array h = array(info[0], "h"), f = array(info[1], "f");
  if (h.dtype != F16 || f.dtype != F32 || h.length != f.length) type_error(info.Env(), "f16ToF32(Uint16Array, Float32Array) of one length");
  f16_to_f32(h.as<uint16_t>(), f.as<float>(), h.length);
  return info.Env().Undefined();
}

Napi::Value F32ToF16(const Napi::CallbackInfo& info) {
  const Array f = array(info[0], "f"), h = array(info[1], "h");
  if (h.dtype != F16 || f.dtype != F32 || h.length != f.length) type_error(info.Env(), "f32ToF16(Float32Array, Uint16Array) of one length");
  f32_to_f16(f.as<float>(), h.as<uint16_t>(), f.length);
  return info.Env().Undefined();
}

// f16Path(forcePortable?): 'f16c' or 'portable'; tests force each.
Napi::Value F16PathFn(const Napi::CallbackInfo& info) {
  if (info.Length() > 0 && !info[0].IsUndefined()) force_f16_portable(boolean(info[0], "forcePortable"));
  return Napi::String::New(info.Env(), f16_path() == F16Path::F16C ? "f16c" : "portable");
}

// int8WeightBytes(n, k): bytes packInt8Weight writes for a weight [N, K] on the int8 path in use.
Napi::Value Int8WeightBytes(const Napi::CallbackInfo& info) {
  return Napi::Number::New(info.Env(), double(int8_weight_bytes(integer(info[0], "n"), integer(info[1], "k"))));
}

// packInt8Weight(w, n, k, dst): w (Int8Array [N, K], a tm.quantize weight's values) packed into dst.
Napi::Value PackInt8Weight(const Napi::CallbackInfo& info) {
  const Napi::Env env = info.Env();
  const Array w = array(info[0], "w"), dst = array(info[3], "dst");
  const int64_t n = integer(info[1], "n"), k = integer(info[2], "k");
  if (w.dtype != I8 || dst.dtype != I8) type_error(env, "packInt8Weight: w and dst must be Int8Arrays");
  require(w.length >= n * k, env, "packInt8Weight: w is shorter than n · k");
  require(dst.length >= int8_weight_bytes(n, k), env, "packInt8Weight: dst is shorter than int8WeightBytes(n, k)");
  pack_int8_weight(w.as<int8_t>(), n, k, dst.as<int8_t>());
  return env.Undefined();
}

// quantizedLinear(x, w, packed, scales, out, m, n, k): x (f32 [M, K]) · a tm.quantize weight
// (values w, Int8Array [N, K]; scales, Float32Array [N]) the int8 way → out (f32 [M, N]). packed:
// packInt8Weight's bytes for w, or null (packed as it goes).
Napi::Value QuantizedLinear(const Napi::CallbackInfo& info) {
  const Napi::Env env = info.Env();
  const Array x = array(info[0], "x"), w = array(info[1], "w"), scales = array(info[3], "scales"), out = array(info[4], "out");
  const bool has_packed = !info[2].IsNull();
  const Array packed = has_packed ? array(info[2], "packed") : Array{nullptr, I8, 0};
  const int64_t m = integer(info[5], "m"), n = integer(info[6], "n"), k = integer(info[7], "k");
  if (x.dtype != F32 || scales.dtype != F32 || out.dtype != F32) type_error(env, "quantizedLinear: x, scales and out must be Float32Arrays");
  if (w.dtype != I8 || packed.dtype != I8) type_error(env, "quantizedLinear: w and packed must be Int8Arrays");
  require(x.length >= m * k && w.length >= n * k && scales.length >= n && out.length >= m * n, env,
          "quantizedLinear: an array is shorter than its shape");
  quantized_linear(x.as<float>(), w.as<int8_t>(), packed.as<int8_t>(), packed.length, scales.as<float>(), out.as<float>(), m, n, k);
  return env.Undefined();
}

// dynamicQuantizeUint8(x, y): ONNX's DynamicQuantizeLinear of x (Float32Array) into y (Int32Array
// of x's length, uint8 values) → [scale, zeroPoint], or null (y untouched) where x is empty or holds
// a NaN or an infinity.
Napi::Value DynamicQuantizeUint8(const Napi::CallbackInfo& info) {
  const Napi::Env env = info.Env();
  const Array x = array(info[0], "x"), y = array(info[1], "y");
  if (x.dtype != F32 || y.dtype != I32) type_error(env, "dynamicQuantizeUint8: x must be a Float32Array and y an Int32Array");
  require(y.length >= x.length, env, "dynamicQuantizeUint8: y is shorter than x");
  float scale;
  int32_t zero_point;
  if (!dynamic_quantize_uint8(x.as<float>(), x.length, y.as<int32_t>(), &scale, &zero_point)) return env.Null();
  Napi::Array result = Napi::Array::New(env, 2);
  result.Set(uint32_t(0), Napi::Number::New(env, scale));
  result.Set(uint32_t(1), Napi::Number::New(env, zero_point));
  return result;
}

// int8Path(force?): the int8 GEMM path in use. force: a path's name, null for
// the best one, or a boolean (true = portable, false = the best one).
Napi::Value Int8Path(const Napi::CallbackInfo& info) {
  const Napi::Env env = info.Env();
  if (info.Length() > 0 && !info[0].IsUndefined()) {
    const Napi::Value f = info[0];
    if (f.IsNull() || (f.IsBoolean() && !f.As<Napi::Boolean>().Value())) force_int8_path(nullptr);
    else if (f.IsBoolean()) force_int8_path("portable");
    else if (!f.IsString()) type_error(env, "int8Path: force must be a path name, null or a boolean");
    else if (!force_int8_path(f.As<Napi::String>().Utf8Value().c_str()))
      range_error(env, "int8Path: this CPU cannot run " + f.As<Napi::String>().Utf8Value());
  }
  return Napi::String::New(env, int8_path());
}

Napi::Value Blas(const Napi::CallbackInfo& info) {
  const BlasInfo b = blas_info();
  Napi::Object o = Napi::Object::New(info.Env());
  o.Set("corename", b.corename);
  o.Set("config", b.config);
  o.Set("version", b.version);
  o.Set("threads", b.threads);
  o.Set("parallel", b.parallel);
  return o;
}

Napi::Value GetThreads(const Napi::CallbackInfo& info) { return Napi::Number::New(info.Env(), threads()); }

Napi::Value SetThreads(const Napi::CallbackInfo& info) {
  return Napi::Number::New(info.Env(), set_threads(int(integer(info[0], "threads", 1))));
}

Napi::Value Cpu(const Napi::CallbackInfo& info) {
  const CpuFeatures& f = cpu();
  Napi::Object o = Napi::Object::New(info.Env());
  const std::pair<const char*, bool> flags[] = {
      {"sse", f.sse}, {"sse2", f.sse2}, {"sse3", f.sse3}, {"ssse3", f.ssse3}, {"sse4_1", f.sse4_1},
      {"sse4_2", f.sse4_2}, {"avx", f.avx}, {"fma", f.fma}, {"f16c", f.f16c}, {"avx2", f.avx2},
      {"avx512f", f.avx512f}, {"avx512dq", f.avx512dq}, {"avx512cd", f.avx512cd}, {"avx512bw", f.avx512bw},
      {"avx512vl", f.avx512vl}, {"avx512_vnni", f.avx512_vnni}, {"avx512_bf16", f.avx512_bf16},
      {"avx512_fp16", f.avx512_fp16}, {"avx_vnni", f.avx_vnni}, {"amx_tile", f.amx_tile},
      {"amx_int8", f.amx_int8}, {"amx_bf16", f.amx_bf16}};
  for (const auto& [name, on] : flags) o.Set(name, on);
  return o;
}

Napi::Object Init(Napi::Env env, Napi::Object exports) {
  const std::pair<const char*, Napi::Value (*)(const Napi::CallbackInfo&)> functions[] = {
      {"unary", Unary}, {"binary", Binary}, {"where", Where}, {"reduce", ReduceAlong<reduce, false>}, {"reduceColumns", ReduceAlong<reduce_columns, true>}, {"argReduce", ArgReduce},
      {"softmax", Softmax}, {"stridedCopy", StridedCopy}, {"concat", Concat}, {"cast", Cast}, {"oneHot", OneHot}, {"scan", Scan}, {"luFactor", LuFactor}, {"luSolve", LuSolve}, {"cholesky", Cholesky}, {"qr", Qr}, {"triangularSolve", TriangularSolve}, {"eigh", Eigh}, {"eig", Eig}, {"ldlFactor", LdlFactor}, {"ldlSolve", LdlSolve}, {"svd", Svd}, {"gather", Gather}, {"scatterAdd", ScatterAdd}, {"sortIndices", SortIndices}, {"lstmCell", LstmCell}, {"lstmCellGrad", LstmCellGrad}, {"gruCell", GruCell}, {"gruCellGrad", GruCellGrad}, {"ctc", Ctc}, {"treeWalk", TreeWalk}, {"windowMax", WindowMax}, {"windowMaxGrad", WindowMaxGrad}, {"conv2d", Conv2d}, {"adam", Adam}, {"sgd", Sgd},
      {"f16ToF32", F16ToF32}, {"f32ToF16", F32ToF16}, {"f16Path", F16PathFn}, {"int8Path", Int8Path}, {"int8WeightBytes", Int8WeightBytes}, {"packInt8Weight", PackInt8Weight}, {"quantizedLinear", QuantizedLinear}, {"dynamicQuantizeUint8", DynamicQuantizeUint8},
      {"searchSorted", SearchSorted}, {"allPole", AllPole},
      {"blasInfo", Blas}, {"getThreads", GetThreads}, {"setThreads", SetThreads}, {"cpuFeatures", Cpu}};
  for (const auto& [name, fn] : functions) exports.Set(name, Napi::Function::New(env, fn, name));
#ifdef TMNN_KISSFFT
  exports.Set("fftComplex", Napi::Function::New(env, Fft<FftKind::Complex>, "fftComplex"));
  exports.Set("fftRealForward", Napi::Function::New(env, Fft<FftKind::RealForward>, "fftRealForward"));
  exports.Set("fftRealInverse", Napi::Function::New(env, Fft<FftKind::RealInverse>, "fftRealInverse"));
#endif
  RegisterGemm(env, exports);
  RegisterStderrCapture(env, exports);
  RegisterMallocReuse(env, exports);
  return exports;
}

}  // namespace

}  // namespace tmnn

static Napi::Object InitTmnn(Napi::Env env, Napi::Object exports) { return tmnn::Init(env, exports); }

NODE_API_MODULE(tmnn_native, InitTmnn)
