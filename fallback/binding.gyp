{
  "targets": [
    {
      "target_name": "tmnn_native",
      "sources": [
        "src/addon.cc",
        "src/blas.cc",
        "src/cpu_features.cc",
        "src/elementwise.cc",
        "src/f16.cc",
        "src/gather.cc",
        "src/int8_gemm.cc",
        "src/reduce.cc"
      ],
      "include_dirs": ["<!@(node -p \"require('node-addon-api').include_dir\")"],
      "defines": ["NAPI_VERSION=8", "NAPI_DISABLE_CPP_EXCEPTIONS"],
      "cflags_cc": ["-O3", "-std=c++17", "-fno-math-errno", "<!@(pkg-config --cflags openblas 2>/dev/null || echo)"],
      "libraries": ["<!@(pkg-config --libs openblas 2>/dev/null || echo -lopenblas)"]
    }
  ]
}
