{
  "targets": [
    {
      "target_name": "tmnn_native",
      "sources": [
        "src/adam.cc",
        "src/addon.cc",
        "src/all_pole.cc",
        "src/async_gemm.cc",
        "src/blas_info.cc",
        "src/conv.cc",
        "src/convert.cc",
        "src/ctc.cc",
        "src/cpu_features.cc",
        "src/dynamic_quantize.cc",
        "src/eig.cc",
        "src/eig_general.cc",
        "src/elementwise.cc",
        "src/fft.cc",
        "src/gemm.cc",
        "src/gru_cell.cc",
        "src/int32_gemm.cc",
        "src/int8_gemm.cc",
        "src/ldl.cc",
        "src/linalg.cc",
        "src/lstm_cell.cc",
        "src/malloc_reuse.cc",
        "src/movement.cc",
        "src/parallel.cc",
        "src/quantized_linear.cc",
        "src/reduce.cc",
        "src/scan.cc",
        "src/search.cc",
        "src/sgd.cc",
        "src/softmax.cc",
        "src/sort.cc",
        "src/stderr_capture.cc",
        "src/tree_walk.cc",
        "src/where.cc",
        "src/window_max.cc"
      ],
      "include_dirs": ["<!(node -p \"require('node-addon-api').include_dir\")"],
      "defines": ["NAPI_VERSION=8", "NODE_ADDON_API_CPP_EXCEPTIONS", "NODE_ADDON_API_CPP_EXCEPTIONS_ALL"],
      "cflags!": ["-fno-exceptions"],
      "cflags_cc!": ["-fno-exceptions", "-std=gnu++17"],
      "cflags_cc": [
        "-O3",
        "-std=c++17",
        "-fno-math-errno",
        "-fno-trapping-math",
        "<!@(pkg-config --cflags openblas 2>/dev/null || true)",
        "<!@(pkg-config --cflags kissfft-float 2>/dev/null && echo -DTMNN_KISSFFT=1 || true)"
      ],
      "libraries": [
        "<!@(pkg-config --libs openblas 2>/dev/null || echo -lopenblas)",
        "<!@(pkg-config --libs kissfft-float 2>/dev/null || true)"
      ]
    }
  ]
}
