/* history.h — the inputs this kernel ran (with store_history), for
 * history_request: tail, range and search, as IPython answers them. */
#ifndef EMBER_KERNEL_HISTORY_H
#define EMBER_KERNEL_HISTORY_H

#include <jansson.h>

/* The session number replies carry. A request may name it, or 0 for "the
   current session" (IPython's convention); other sessions have no history
   here, since each kernel process starts afresh. */
#define KERN_HISTORY_SESSION 1

typedef struct KernHistEntry {
  int line;        /* the execution count of the cell */
  char *input;
  char *output;    /* text/plain of its result, or NULL */
} KernHistEntry;

typedef struct KernHistory {
  KernHistEntry *items;
  int len, cap;
} KernHistory;

void kern_history_add(KernHistory *h, int line, const char *input, const char *output);
void kern_history_free(KernHistory *h);
/* The "history" list of a history_reply for the request's content. */
json_t *kern_history_query(const KernHistory *h, const json_t *request);

#endif
