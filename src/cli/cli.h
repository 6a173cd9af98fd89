/* The flotilla subcommands. Each takes argc/argv after the subcommand name
 * and returns the process exit code. */
#ifndef FL_CLI_CLI_H
#define FL_CLI_CLI_H

int fl_cmd_serve(int argc, char **argv);
int fl_cmd_member(int argc, char **argv);

/* Every watch holds a connection open: use the whole hard limit on file
 * descriptors (kube-apiserver's runtime does the same), not the usual soft
 * limit of 1024. who names the command in a warning. */
void fl_cli_raise_fd_limit(const char *who);

#endif
