/* kernel.h — the Jupyter kernel front end (ember kernel, ember kernelspec). */
#ifndef EMBER_KERNEL_H
#define EMBER_KERNEL_H

/* ember kernel -f CONNECTION_FILE */
int kern_main(int argc, char **argv);
/* ember kernelspec install [--user | --sys-prefix | --prefix DIR] */
int kern_kernelspec_main(int argc, char **argv);

#endif
