// Test plugin: a shared library without the stlab entry point.
extern "C" __attribute__((visibility("default"))) int stlab_test_not_a_plugin() { return 42; }
