/* emit.h — MLIR text for one checked cell. */
#ifndef EMBER_EMIT_H
#define EMBER_EMIT_H

#include "compiler/check.h"

/* Emit the whole module for a cell: its functions, its globals, declarations
 * of what it uses from earlier cells and the runtime, and the entry function
 * `main_name` that runs the top-level statements. Runtime errors name the
 * cell as "c<number>" with cell-relative lines; the session maps them back to
 * the cell's name and file lines. Returns malloc'd text the caller frees.
 * The GPU kernels the cell launches go into a gpu.module of the same module
 * (emit_gpu.c); NULL with *err (malloc'd) when a kernel uses something that
 * cannot run on the GPU. */
char *emit_cell(const CheckedCell *cell, const char *main_name, char **err);

#endif
