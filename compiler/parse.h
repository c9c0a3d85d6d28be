/* parse.h — tokens to AST for one cell. */
#ifndef EMBER_PARSE_H
#define EMBER_PARSE_H

#include "compiler/ast.h"
#include "compiler/diag.h"
#include "compiler/lex.h"

/* Parse a whole cell into a list of statements. Errors go to diags; the
 * parser recovers at statement boundaries to report several. */
NodeList parse_cell(TokenArray toks, Arena *arena, Diags *diags);

#endif
