// Symbol visibility for the stlab core library. Plugins are built with
// -fvisibility=hidden, so every type and function they use from the core must be
// marked STLAB_API to keep one definition (and one typeinfo) across libraries.
#ifndef STLAB_CORE_EXPORT_H_
#define STLAB_CORE_EXPORT_H_

#define STLAB_API __attribute__((visibility("default")))

#endif  // STLAB_CORE_EXPORT_H_
