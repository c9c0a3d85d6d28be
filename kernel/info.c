/* info.c — what the kernel says about itself in kernel_info_reply. Built
 * once (kern_kernel_info) and sent as stored text on shell and control. */
#include <stdlib.h>
#include <string.h>

#include "kernel/kern.h"

#define STR_(x) #x
#define STR(x) STR_(x)

static const char BANNER[] =
    "Ember " EMBER_VERSION " -- a Mojo-like language compiled to native code "
    "through MLIR and LLVM " STR(EMBER_LLVM_VERSION) "\n"
    "Every cell is type-checked and compiled; definitions carry over to later cells.\n"
    "NAME? shows what a name is; %time, %%time, %timeit, %reset, %%python and %%emit are magics.\n";

char *kern_kernel_info(void) {
  json_t *info = json_pack(
      "{s:s, s:s, s:s, s:s,"
      " s:{s:s, s:s, s:s, s:s, s:s, s:s, s:s},"
      " s:s, s:[{s:s, s:s}, {s:s, s:s}], s:[]}",
      "status", "ok", "protocol_version", KERN_PROTOCOL_VERSION, "implementation", "ember",
      "implementation_version", EMBER_VERSION,
      "language_info", "name", "ember", "version", EMBER_VERSION, "mimetype", "text/x-ember",
      "file_extension", ".ember", "pygments_lexer", "python", "codemirror_mode", "python",
      "nbconvert_exporter", "script",
      "banner", BANNER,
      "help_links", "text", "Mojo manual (the language Ember follows)", "url",
      "https://docs.modular.com/mojo/manual/", "text", "MLIR", "url", "https://mlir.llvm.org/",
      "supported_features");
  char *text = kern_json_dump(info);
  json_decref(info);
  return text;
}

void kern_reply_kernel_info(Kernel *k, void *sock, const KernMsg *req) {
  kern_reply_text(sock, &k->wire, req, "kernel_info_reply", k->kernel_info, strlen(k->kernel_info));
}
