/* flotilla: dispatch to a subcommand. */
#include <stdio.h>
#include <string.h>

#include "cli/cli.h"

static void usage(FILE *f)
{
    fprintf(f, "usage: flotilla <command> [options]\n\n"
               "commands:\n"
               "  serve     run the federation control plane (see flotilla serve --help)\n"
               "  member    run simulated member clusters (see flotilla member --help)\n");
}

int main(int argc, char **argv)
{
    if (argc < 2) {
        usage(stderr);
        return 2;
    }
    if (!strcmp(argv[1], "serve"))
        return fl_cmd_serve(argc - 1, argv + 1);
    if (!strcmp(argv[1], "member"))
        return fl_cmd_member(argc - 1, argv + 1);
    if (!strcmp(argv[1], "-h") || !strcmp(argv[1], "--help") || !strcmp(argv[1], "help")) {
        usage(stdout);
        return 0;
    }
    fprintf(stderr, "flotilla: unknown command '%s'\n", argv[1]);
    usage(stderr);
    return 2;
}
