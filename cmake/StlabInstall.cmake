# Installs libstlab, its public headers, the CLI, the in-tree plugins and a CMake
# package, so that find_package(stlab) + stlab_add_plugin() build plugins out of
# tree.
include(CMakePackageConfigHelpers)

install(TARGETS stlab stlab_usage EXPORT stlabTargets
        LIBRARY DESTINATION ${CMAKE_INSTALL_LIBDIR}
        INCLUDES DESTINATION ${CMAKE_INSTALL_INCLUDEDIR}/stlab)
install(TARGETS stlab_cli RUNTIME DESTINATION ${CMAKE_INSTALL_BINDIR})
get_property(_stlab_plugins GLOBAL PROPERTY STLAB_INSTALLABLE_PLUGINS)
install(TARGETS ${_stlab_plugins} LIBRARY DESTINATION ${STLAB_PLUGIN_INSTALL_DIR})
foreach(dir core registry)
  install(DIRECTORY "${PROJECT_SOURCE_DIR}/${dir}" DESTINATION ${CMAKE_INSTALL_INCLUDEDIR}/stlab
          FILES_MATCHING PATTERN "*.h" PATTERN "internal" EXCLUDE PATTERN "*_test.h" EXCLUDE)
endforeach()
install(FILES "${PROJECT_BINARY_DIR}/generated/core/version.h"
        DESTINATION ${CMAKE_INSTALL_INCLUDEDIR}/stlab/core)

set(_stlab_cmake_dir ${CMAKE_INSTALL_LIBDIR}/cmake/stlab)
install(EXPORT stlabTargets NAMESPACE stlab:: DESTINATION ${_stlab_cmake_dir})
configure_package_config_file("${PROJECT_SOURCE_DIR}/cmake/stlabConfig.cmake.in"
                              "${PROJECT_BINARY_DIR}/stlabConfig.cmake"
                              INSTALL_DESTINATION ${_stlab_cmake_dir})
write_basic_package_version_file("${PROJECT_BINARY_DIR}/stlabConfigVersion.cmake"
                                 COMPATIBILITY SameMinorVersion)
install(FILES "${PROJECT_BINARY_DIR}/stlabConfig.cmake"
              "${PROJECT_BINARY_DIR}/stlabConfigVersion.cmake"
              "${PROJECT_SOURCE_DIR}/cmake/StlabPlugin.cmake"
        DESTINATION ${_stlab_cmake_dir})
