//! tree-sitter's memory allocator: mimalloc, set first thing in `main` (before any parser
//! exists). hookctl's own allocations stay with the C library's allocator.
//!
//! A cold check is mostly tree-sitter parsing, and tree-sitter allocates and frees a node at a
//! time. With the C library's allocator, those small frees pile up in its fast lists, and each
//! blob read between two parses (libgit2's buffer, a larger allocation) makes it merge them all
//! again (`malloc_consolidate`): malloc and free were about 14% of a cold 20k check's CPU.
//! hookctl's own allocations are not moved: with mimalloc as the global allocator too, the
//! 100k cold check's peak memory grew from about 228 to 275 MiB (the facts and the resolver's
//! caches outlive the parse threads' heaps), past the 250 MiB bound; with tree-sitter's
//! allocations alone it is about 238 MiB.
#![expect(
    unsafe_code,
    reason = "tree-sitter's allocator is four C functions, set once before any tree-sitter object exists"
)]

use std::ffi::c_void;

use libmimalloc_sys::{mi_calloc, mi_free, mi_malloc, mi_realloc};

/// Makes tree-sitter allocate with mimalloc. Call it first thing in `main`, before any thread
/// exists and before any tree-sitter parser, tree or query is made: memory tree-sitter took
/// from one allocator must not be freed by the other.
pub fn parsers_use_mimalloc() {
    let allocator = tree_sitter::Allocator {
        malloc: ts_malloc,
        calloc: ts_calloc,
        realloc: ts_realloc,
        free: mi_free,
    };
    // SAFETY: the four functions are one allocator family (mimalloc), never return null for a
    // non-zero size (they abort, as tree-sitter's default ones do), align as malloc does, and
    // this runs before any other tree-sitter call (the caller's contract).
    unsafe { tree_sitter::set_allocator(Some(allocator)) }
}

/// `mi_malloc`, aborting when out of memory as tree-sitter's default allocator does.
unsafe extern "C" fn ts_malloc(size: usize) -> *mut c_void {
    // SAFETY: any size may be asked for; null is handled below.
    let p = unsafe { mi_malloc(size) };
    non_null(p, size)
}

/// `mi_calloc`, aborting when out of memory.
unsafe extern "C" fn ts_calloc(count: usize, size: usize) -> *mut c_void {
    // SAFETY: mimalloc checks `count * size` for overflow (null then).
    let p = unsafe { mi_calloc(count, size) };
    non_null(p, count.saturating_mul(size))
}

/// `mi_realloc`, aborting when out of memory.
unsafe extern "C" fn ts_realloc(ptr: *mut c_void, size: usize) -> *mut c_void {
    // SAFETY: `ptr` is null or came from this family (the caller's contract, tree-sitter's).
    let p = unsafe { mi_realloc(ptr, size) };
    non_null(p, size)
}

fn non_null(p: *mut c_void, size: usize) -> *mut c_void {
    if p.is_null() && size > 0 {
        std::process::abort();
    }
    p
}
