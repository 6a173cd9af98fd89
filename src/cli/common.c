/* What the subcommands share: see cli.h. */
#include <stdio.h>
#include <sys/resource.h>

#include "cli/cli.h"

void fl_cli_raise_fd_limit(const char *who)
{
    struct rlimit rl;
    if (getrlimit(RLIMIT_NOFILE, &rl) == 0 && rl.rlim_cur < rl.rlim_max) {
        rl.rlim_cur = rl.rlim_max;
        if (setrlimit(RLIMIT_NOFILE, &rl) != 0)
            fprintf(stderr, "%s: setrlimit(RLIMIT_NOFILE): %m\n", who);
    }
}
