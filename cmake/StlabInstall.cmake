# Installs libstlab, its headers, the CLI, the plugins and a CMake package, so that
# find_package(stlab) + stlab_add_plugin() build plugins out of tree.
