# stlab_add_plugin(NAME SOURCES src... [LIBRARIES lib...])
#
# Builds a plugin: a shared library that links the stlab core dynamically (a static
# copy would duplicate the registry), hides every symbol but its entry point, and
# lands in the plugin folder the stlab executable searches. Used in-tree and, from
# the installed CMake package, out of tree.
function(stlab_add_plugin name)
  cmake_parse_arguments(ARG "" "OUTPUT_DIRECTORY" "SOURCES;LIBRARIES" ${ARGN})
  if(NOT ARG_SOURCES)
    message(FATAL_ERROR "stlab_add_plugin(${name}): SOURCES is required")
  endif()
  add_library(${name} MODULE ${ARG_SOURCES})
  if(TARGET stlab::stlab)
    target_link_libraries(${name} PRIVATE stlab::stlab ${ARG_LIBRARIES})
  else()
    target_link_libraries(${name} PRIVATE stlab ${ARG_LIBRARIES})
  endif()
  if(NOT ARG_OUTPUT_DIRECTORY AND DEFINED STLAB_PLUGIN_OUTPUT_DIR)
    set(ARG_OUTPUT_DIRECTORY "${STLAB_PLUGIN_OUTPUT_DIR}")
  endif()
  set_target_properties(${name} PROPERTIES
    CXX_VISIBILITY_PRESET hidden
    VISIBILITY_INLINES_HIDDEN ON
    PREFIX "lib"
    INSTALL_RPATH "$ORIGIN/../..")
  if(DEFINED STLAB_PLUGIN_OUTPUT_DIR AND ARG_OUTPUT_DIRECTORY STREQUAL "${STLAB_PLUGIN_OUTPUT_DIR}")
    # An in-tree plugin of the default folder: installed with stlab.
    set_property(GLOBAL APPEND PROPERTY STLAB_INSTALLABLE_PLUGINS ${name})
  endif()
  if(ARG_OUTPUT_DIRECTORY)
    set_target_properties(${name} PROPERTIES LIBRARY_OUTPUT_DIRECTORY "${ARG_OUTPUT_DIRECTORY}")
  endif()
  if(TARGET stlab AND COMMAND stlab_reuse_pch)  # In-tree builds share the core's PCH.
    stlab_reuse_pch(${name})
  endif()
endfunction()
