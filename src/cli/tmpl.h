/* tmpl.h: the subset of Go's text/template that Docker users write in
 * --format: {{.A.B}}, {{json .}}, {{index .A "k"}}, {{join .A ","}},
 * {{upper .A}}, {{lower .A}}, {{len .A}}, eq/ne/lt/le/gt/ge, not, and, or,
 * {{range .A}}...{{end}},
 * {{if .A}}...{{else}}...{{end}}, {{with .A}}...{{end}}, "{{-" and "-}}",
 * and pipes ({{.A | json}}). */
#ifndef MOAT_CLI_TMPL_H
#define MOAT_CLI_TMPL_H

#include "../util/err.h"
#include <jansson.h>

/* The text of tmpl applied to dot (malloc'd); NULL with err on a bad
 * template. */
char *tmpl_render(const char *tmpl, json_t *dot, merr_t *err);

#endif
