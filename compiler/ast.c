/* ast.c — node construction, lists and deep copies. */
#include "compiler/ast.h"

#include <string.h>

const char *const node_kind_name[N_COUNT] = {
#define NODE_NAME(kind, doc) #kind,
    NODE_LIST(NODE_NAME)
#undef NODE_NAME
};

Node *node_new(Arena *a, NodeKind kind, int line, int col) {
  Node *n = arena_alloc(a, sizeof *n);
  n->kind = kind;
  n->line = line;
  n->col = col;
  return n;
}

void node_push(Arena *a, NodeList *l, Node *n) {
  if (l->len == l->cap) {
    int cap = l->cap ? l->cap * 2 : 4;
    Node **items = arena_alloc(a, sizeof(Node *) * (size_t)cap);
    if (l->len) memcpy(items, l->items, sizeof(Node *) * (size_t)l->len);
    l->items = items;
    l->cap = cap;
  }
  l->items[l->len++] = n;
}

static void clone_list(Arena *a, NodeList *dst, const NodeList *src) {
  *dst = (NodeList){0};
  for (int i = 0; i < src->len; i++) node_push(a, dst, node_clone(a, src->items[i]));
}

Node *node_clone(Arena *a, const Node *n) {
  if (!n) return NULL;
  Node *c = arena_alloc(a, sizeof *c);
  *c = *n;
  c->type = NULL;
  c->sym = NULL;
  c->flags &= ~EXPR_LITERAL;
  c->a = node_clone(a, n->a);
  c->b = node_clone(a, n->b);
  c->c = node_clone(a, n->c);
  clone_list(a, &c->list, &n->list);
  clone_list(a, &c->list2, &n->list2);
  clone_list(a, &c->list3, &n->list3);
  clone_list(a, &c->decorators, &n->decorators);
  return c;
}

bool node_any(const Node *n, bool (*pred)(const Node *n, const void *ud), const void *ud) {
  if (!n) return false;
  if (pred(n, ud)) return true;
  if (node_any(n->a, pred, ud) || node_any(n->b, pred, ud) || node_any(n->c, pred, ud)) return true;
  const NodeList *lists[3] = {&n->list, &n->list2, &n->list3};
  for (int k = 0; k < 3; k++)
    for (int i = 0; i < lists[k]->len; i++)
      if (node_any(lists[k]->items[i], pred, ud)) return true;
  return false;
}
