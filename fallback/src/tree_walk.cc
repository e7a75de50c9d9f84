// The tree-walk kernel (src/backends/tree_walk.ts): for each sample row of x
// [rows, cols] and each tree, the leaf the tree's node tables lead the row
// to, as the js backend walks it: at most `depth` steps from the root, each
// taking next[node·4 + relation] for the relation of the row's value of the
// node's feature to its threshold (0 less, 1 equal, 2 greater, 3 NaN value;
// a NaN threshold compares as neither greater nor equal: less). The node
// tables are packed a node to an entry first; each row walks its trees
// sixteen at a time, side by side, stopping once a step moves none of them
// (a leaf leads to itself). Rows split among threads.
#include <algorithm>
#include <cmath>
#include <vector>

#include "parallel.h"
#include "tmnn.h"

namespace tmnn {

namespace {

// A node's table entries side by side: one step reads one cache line.
struct Node {
  int32_t feature;
  float threshold;
  int32_t next[4];
};

// Trees walked side by side for each row: their steps are independent chains of loads, which the core overlaps.
constexpr int64_t BLOCK = 16;

}  // namespace

void tree_walk(const TreeWalkProblem& p, int32_t* out) {
  std::vector<Node> nodes(p.nodes);
  for (int64_t i = 0; i < p.nodes; i++) nodes[i] = {p.features[i], p.thresholds[i], {p.next[i * 4], p.next[i * 4 + 1], p.next[i * 4 + 2], p.next[i * 4 + 3]}};
  // Each (row, tree) is at most depth steps of a few loads and a compare: threads only where there are many.
  const int64_t work = p.rows * p.trees * std::max<int64_t>(1, p.depth);
  const int parts = int(std::max<int64_t>(1, std::min<int64_t>({int64_t(threads()), p.rows, work / 20000})));
  parallel(parts, [&](int part) {
    const auto [first, end] = share(p.rows, parts, part);
    for (int64_t r = first; r < end; r++) {
      const float* row = p.x + r * p.cols;
      int32_t* leaves = out + r * p.trees;
      for (int64_t t0 = 0; t0 < p.trees; t0 += BLOCK) {
        const int64_t count = std::min(BLOCK, p.trees - t0);
        int32_t at[BLOCK];
        for (int64_t j = 0; j < count; j++) at[j] = p.roots[t0 + j];
        for (int64_t step = 0; step < p.depth; step++) {
          bool moved = false;
          for (int64_t j = 0; j < count; j++) {
            const Node& node = nodes[at[j]];
            const float value = row[node.feature];
            const int relation = std::isnan(value) ? 3 : (value > node.threshold ? 2 : 0) + (value == node.threshold ? 1 : 0);
            const int32_t to = node.next[relation];
            moved |= to != at[j];
            at[j] = to;
          }
          // A leaf leads to itself: once no tree of the block moves, none will.
          if (!moved) break;
        }
        std::copy(at, at + count, leaves + t0);
      }
    }
  });
}

}  // namespace tmnn
