#include "config.h"
#include "cli.h"
#include "commands.h"
int cmd_audit(int argc, char **argv) { (void)argc; (void)argv; return EXIT_FAIL; }
