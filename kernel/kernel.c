/* kernel.c — placeholder until the kernel lands. */
#include "kernel/kernel.h"

#include <stdio.h>

int kern_main(int argc, char **argv) {
  (void)argc;
  (void)argv;
  fputs("ember: the Jupyter kernel is not built yet\n", stderr);
  return 64;
}

int kern_kernelspec_main(int argc, char **argv) {
  (void)argc;
  (void)argv;
  fputs("ember: kernelspec install is not built yet\n", stderr);
  return 64;
}
