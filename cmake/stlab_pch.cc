// Translation unit that carries stlab_pch.h (see StlabPrecompiledHeaders.cmake).
