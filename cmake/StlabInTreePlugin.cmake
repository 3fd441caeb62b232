# stlab_add_in_tree_plugin(NAME SOURCES src... [TESTS test...] [LIBRARIES lib...])
#
# The layout of every folder under plugins/: the component sources become a static
# library stlab_NAME_ops (which unit tests link directly), plugin.cc registers them
# in the plugin libstlab_NAME.so, and TESTS become the NAME_test executable.
function(stlab_add_in_tree_plugin name)
  cmake_parse_arguments(ARG "" "" "SOURCES;TESTS;LIBRARIES" ${ARGN})
  add_library(stlab_${name}_ops STATIC ${ARG_SOURCES})
  target_link_libraries(stlab_${name}_ops PUBLIC stlab ${ARG_LIBRARIES})
  set_target_properties(stlab_${name}_ops PROPERTIES CXX_VISIBILITY_PRESET hidden
                                                     VISIBILITY_INLINES_HIDDEN ON)
  stlab_reuse_pch(stlab_${name}_ops)
  stlab_add_plugin(stlab_${name} SOURCES plugin.cc LIBRARIES stlab_${name}_ops)
  if(STLAB_BUILD_TESTS AND ARG_TESTS)
    stlab_add_test(${name}_test ${ARG_TESTS})
    target_link_libraries(${name}_test PRIVATE stlab_${name}_ops)
  endif()
endfunction()
