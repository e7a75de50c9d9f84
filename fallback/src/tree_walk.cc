// The tree-walk kernel (src/backends/tree_walk.ts): for each sample row of x
// [rows, cols] and each tree, the leaf the tree's node tables lead the row
// to, as the js backend walks it: at most `depth` steps from the root, each
// taking next[node·4 + relation] for the relation of the row's value of the
// node's feature to its threshold (0 less, 1 equal, 2 greater, 3 NaN value;
// a NaN threshold compares as neither greater nor equal: less). A walk stops
// early where a step stays on its node (a leaf leads to itself). Rows split
// among threads.
#include <algorithm>
#include <cmath>

#include "parallel.h"
#include "tmnn.h"

namespace tmnn {

void tree_walk(const TreeWalkProblem& p, int32_t* out) {
  // Each (row, tree) is at most depth steps of a load, a compare and a load: threads only where there are many.
  const int64_t work = p.rows * p.trees * std::max<int64_t>(1, p.depth);
  const int parts = int(std::max<int64_t>(1, std::min<int64_t>({int64_t(threads()), p.rows, work / 20000})));
  parallel(parts, [&](int part) {
    const auto [first, end] = share(p.rows, parts, part);
    for (int64_t r = first; r < end; r++) {
      const float* row = p.x + r * p.cols;
      int32_t* leaves = out + r * p.trees;
      for (int64_t t = 0; t < p.trees; t++) {
        int32_t at = p.roots[t];
        for (int64_t step = 0; step < p.depth; step++) {
          const float value = row[p.features[at]], threshold = p.thresholds[at];
          const int relation = std::isnan(value) ? 3 : (value > threshold ? 2 : 0) + (value == threshold ? 1 : 0);
          const int32_t to = p.next[int64_t(at) * 4 + relation];
          if (to == at) break;
          at = to;
        }
        leaves[t] = at;
      }
    }
  });
}

}  // namespace tmnn
