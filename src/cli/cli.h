/* The flotilla subcommands. Each takes argc/argv after the subcommand name
 * and returns the process exit code. */
#ifndef FL_CLI_CLI_H
#define FL_CLI_CLI_H

int fl_cmd_serve(int argc, char **argv);
int fl_cmd_member(int argc, char **argv);

#endif
