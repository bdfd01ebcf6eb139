// Clang thread-safety annotations: they state in code which mutex guards which data and which
// functions expect a mutex held, and clang's -Wthread-safety checks every access against them
// (ci/thread_safety.py runs it). Under other compilers (GCC builds the project) they expand to
// nothing, so they cost nothing and change nothing. common::Mutex (common/mutex.h) is the
// capability to use them with.
//
//   common::Mutex mu_;
//   int count_ GUARDED_BY(mu_) = 0;           // read or write only with mu_ held
//   Node* head_ PT_GUARDED_BY(mu_) = nullptr; // the pointee, not the pointer, is guarded
//   void Grow() REQUIRES(mu_);                // callers hold mu_
//   void Flush() EXCLUDES(mu_);               // callers must not hold mu_ (it takes it)
//   auto predicate = [this]() REQUIRES(mu_) { return count_ > 0; };  // a CondVar predicate
//
// The other macros (CAPABILITY, SCOPED_CAPABILITY, ACQUIRE, RELEASE, TRY_ACQUIRE,
// RETURN_CAPABILITY) are for writing lock types such as common::Mutex; NO_THREAD_SAFETY_ANALYSIS
// turns the check off for one function and needs a comment saying why it is safe.
// The attributes are documented at https://clang.llvm.org/docs/ThreadSafetyAnalysis.html.
#pragma once

// gRPC's headers bring abseil's legacy absl/base/internal/thread_annotations.h, which defines
// some of these names too (for the same attributes). Whichever header comes last defines them;
// a redefinition there is silent (a system header), and here the #undefs keep it silent.
#undef CAPABILITY
#undef SCOPED_CAPABILITY
#undef GUARDED_BY
#undef PT_GUARDED_BY
#undef REQUIRES
#undef EXCLUDES
#undef ACQUIRE
#undef RELEASE
#undef TRY_ACQUIRE
#undef RETURN_CAPABILITY
#undef NO_THREAD_SAFETY_ANALYSIS

#if defined(__clang__)
#define SPLITBRAIN_THREAD_ATTRIBUTE(x) __attribute__((x))
#else
#define SPLITBRAIN_THREAD_ATTRIBUTE(x)
#endif

// A class whose objects are locks; `name` appears in the warnings ("mutex").
#define CAPABILITY(name) SPLITBRAIN_THREAD_ATTRIBUTE(capability(name))
// An RAII class that holds a capability from its constructor to its destructor.
#define SCOPED_CAPABILITY SPLITBRAIN_THREAD_ATTRIBUTE(scoped_lockable)

// Data members: the member itself, or what a pointer member points to, is only read or
// written with the capability held.
#define GUARDED_BY(capability) SPLITBRAIN_THREAD_ATTRIBUTE(guarded_by(capability))
#define PT_GUARDED_BY(capability) SPLITBRAIN_THREAD_ATTRIBUTE(pt_guarded_by(capability))

// Functions: the caller must hold (REQUIRES) or must not hold (EXCLUDES) the capabilities.
#define REQUIRES(...) SPLITBRAIN_THREAD_ATTRIBUTE(requires_capability(__VA_ARGS__))
#define EXCLUDES(...) SPLITBRAIN_THREAD_ATTRIBUTE(locks_excluded(__VA_ARGS__))

// Functions that take or give up a capability (no argument: `this`). TRY_ACQUIRE's first
// argument is the return value that means success.
#define ACQUIRE(...) SPLITBRAIN_THREAD_ATTRIBUTE(acquire_capability(__VA_ARGS__))
#define RELEASE(...) SPLITBRAIN_THREAD_ATTRIBUTE(release_capability(__VA_ARGS__))
#define TRY_ACQUIRE(...) SPLITBRAIN_THREAD_ATTRIBUTE(try_acquire_capability(__VA_ARGS__))
// A function returning a reference to a capability, e.g. a mutex accessor.
#define RETURN_CAPABILITY(capability) SPLITBRAIN_THREAD_ATTRIBUTE(lock_returned(capability))

// Turns the analysis off for one function: for code it cannot follow. Say why in a comment.
#define NO_THREAD_SAFETY_ANALYSIS SPLITBRAIN_THREAD_ATTRIBUTE(no_thread_safety_analysis)
