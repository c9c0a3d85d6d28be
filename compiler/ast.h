/* ast.h — the syntax tree. One generic Node with a kind from one X-macro
 * list; each kind documents which fields it uses. Nodes live in the cell's
 * arena. The checker fills in `type`, `sym` and `flags`. */
#ifndef EMBER_AST_H
#define EMBER_AST_H

#include <stdbool.h>
#include <stdint.h>

#include "compiler/arena.h"
#include "compiler/token.h"

/* NODE(kind, fields used) */
#define NODE_LIST(NODE)                                                        \
  /* expressions */                                                           \
  NODE(INT, "ival")                                                           \
  NODE(FLOAT, "fval")                                                         \
  NODE(STR, "str, slen")                                                      \
  NODE(BOOL, "ival (0/1)")                                                    \
  NODE(NONE, "-")                                                             \
  NODE(NAME, "name")                                                          \
  NODE(BINARY, "op, a, b")                                                    \
  NODE(UNARY, "op (T_MINUS, T_PLUS, T_TILDE), a")                             \
  NODE(NOT, "a")                                                              \
  NODE(LOGIC, "op (T_KW_AND/T_KW_OR), a, b")                                  \
  NODE(COMPARE, "list: operands; ops: operators between them")               \
  NODE(TERNARY, "a: condition, b: then value, c: else value")                 \
  NODE(CALL, "a: callee, list: positional args, list2: KWARG nodes")          \
  NODE(KWARG, "name, a: value")                                               \
  NODE(ATTR, "a: object, name")                                               \
  NODE(INDEX, "a: object, list: indices")                                     \
  NODE(TUPLE, "list: elements")                                               \
  NODE(LIST, "list: elements")                                                \
  /* statements */                                                            \
  NODE(EXPR_STMT, "a")                                                        \
  NODE(VAR_DECL, "name, a: type or NULL, b: value or NULL, flags: DECL_LET")  \
  NODE(ASSIGN, "list: targets (TUPLE for unpacking), a: value")               \
  NODE(AUG_ASSIGN, "op: binary operator, a: target, b: value")                \
  NODE(IF, "a: condition, list: body, list2: else body")                      \
  NODE(WHILE, "a: condition, list: body")                                     \
  NODE(FOR, "a: target NAME, b: iterable, list: body")                        \
  NODE(BREAK, "-")                                                            \
  NODE(CONTINUE, "-")                                                         \
  NODE(RETURN, "a: value or NULL")                                            \
  NODE(PASS, "-")                                                             \
  NODE(FN_DEF, "name, list: PARAMs, a: result type or NULL, list2: body, list3: compile-time PARAMs [T: Trait]") \
  NODE(PARAM, "name, a: type or NULL, b: default or NULL, op: convention")    \
  NODE(ALIAS, "name, a: type or NULL, b: value")                              \
  NODE(IMPORT, "name: module, str: 'as' name or NULL")                        \
  NODE(FROM_IMPORT, "name: module, list: NAME nodes (str: 'as' name)")         \
  NODE(DECORATOR, "a: expression")                                           \
  NODE(RAISE, "a: the error (Error or String), or NULL to re-raise")         \
  NODE(TRY, "list: body, list2: EXCEPT clauses, list3: else body, b: BLOCK of finally or NULL") \
  NODE(EXCEPT, "a: error kind NAME or NULL, name: binding or NULL, list: body") \
  NODE(BLOCK, "list: statements")                                            \
  NODE(SLICE, "a: start, b: stop, c: step (each NULL when left out)")         \
  NODE(FORMAT, "a: value, str: format spec (f-string {a:spec}), op: 'r' for !r") \
  NODE(STRUCT, "name, list: members (VAR_DECL, FN_DEF, ALIAS), list2: trait NAMEs, list3: [params], decorators") \
  NODE(TRAIT, "name, list: required methods (FN_DEF with body '...'), list2: parent trait NAMEs") \
  NODE(ELLIPSIS, "- (the body of a required method)")                      \
  NODE(TRANSFER, "a: the variable whose value moves out (x^)")                \
  NODE(WITH, "a: the context value, name: 'as' binding or NULL, list: body") \
  NODE(DICT, "list: keys, list2: values ({k: v, ...}, a Python dict)")            \
  NODE(SET, "list: items ({a, b, ...}, a Python set)")                            \
  NODE(LISTCOMP, "[a for ... (list: FOR clauses, their list the ifs)] (op 0), {a for ...} (op 1), {a: list3[0] for ...} (op 2);" \
                 " checked: list2 = its statements, sym = the list, set or dict")                     \
  NODE(COMP_APPEND, "a list comprehension's step: append a to the list sym")  \
  NODE(PYCLASS, "class NAME: ... as Python source (str) run in the embedded CPython") \
  NODE(ASSERT, "assert a[, b]: AssertionError (with b's text) when a is false")        \
  NODE(DEL, "del list...: each target's item or attribute removed")

typedef enum NodeKind {
#define NODE_ENUM(kind, doc) N_##kind,
  NODE_LIST(NODE_ENUM)
#undef NODE_ENUM
  N_COUNT
} NodeKind;

extern const char *const node_kind_name[N_COUNT];

typedef struct Node Node;
typedef struct Type Type;
typedef struct Symbol Symbol;

typedef struct NodeList {
  Node **items;
  int len, cap;
} NodeList;

enum {
  DECL_LET = 1 << 0,       /* VAR_DECL: immutable */
  FN_IS_DEF = 1 << 1,      /* FN_DEF: declared with def */
  FN_RAISES = 1 << 2,      /* FN_DEF: raises */
  EXPR_LITERAL = 1 << 3,   /* checker: an untyped literal that may convert */
  FN_GENERIC = 1 << 4,     /* FN_DEF: a def with untyped parameters */
  CALL_METHOD = 1 << 5,    /* CALL: a method; the receiver is a->a (ATTR's object) */
  CALL_CTOR = 1 << 6,      /* CALL: constructs a struct with its __init__ */
  NAME_DECLARES = 1 << 7,  /* NAME as an assignment target: this assignment declares it */
  CALL_INTRINSIC = 1 << 8, /* CALL: implemented inline; op is an Intrinsic (check.h) */
  ALIAS_EARLY = 1 << 10,   /* ALIAS or import at a cell's top level: checked before the functions */
  FN_CAPTURING = 1 << 11,  /* FN_DEF with FN_IS_TYPE: declared `capturing` */
  ALIAS_GLOBAL = 1 << 13,  /* ALIAS of a struct value: an immutable global set where it stands */
  PARAM_STAR = 1 << 14,    /* PARAM: *args, the extra positional arguments (a Python tuple) */
  PARAM_DSTAR = 1 << 15,   /* PARAM: **kwargs, the extra keyword arguments (a Python dict) */
  CALL_STRUCT_LIT = 1 << 12, /* CALL: T {f: v, ...}; a: the type, list2: KWARGs (ival: field index) */   /* ALIAS at a cell's top level: checked before the functions */
  FN_IS_TYPE = 1 << 9,     /* FN_DEF: a function type, fn(Int) -> None (a parameter's type) */
};

struct Node {
  NodeKind kind;
  int line, col;         /* where it starts in the cell */
  int op;                /* a TokenKind for operators */
  int flags;
  const char *name;
  Node *a, *b, *c;
  NodeList list, list2, list3;
  int *ops;              /* COMPARE: list.len - 1 operators */
  NodeList decorators;   /* FN_DEF */
  union {
    uint64_t ival;
    double fval;
  };
  const char *str;
  int64_t slen;
  /* filled by the checker */
  Type *type;
  Symbol *sym;
  Type *optype;          /* checker: the type operands are converted to (BINARY, COMPARE, LOGIC) */
};

Node *node_new(Arena *a, NodeKind kind, int line, int col);
void node_push(Arena *a, NodeList *l, Node *n);
/* Does pred hold for n or any node below it? (children a, b, c and lists) */
bool node_any(const Node *n, bool (*pred)(const Node *n, const void *ud), const void *ud);
/* Deep copy of a subtree (for instantiating generic functions). */
Node *node_clone(Arena *a, const Node *n);

#endif
