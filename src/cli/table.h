/* table.h: listings (ps, images, volume ls) as Docker prints them: a
 * --format template per row, "table TEMPLATE" for aligned columns under a
 * header, or "json" for a JSON object a line. */
#ifndef MOAT_CLI_TABLE_H
#define MOAT_CLI_TABLE_H

#include <jansson.h>

/* rows: an array of objects; headers: the object a table's header line is
 * rendered from (each field's column title); fallback: the format when
 * format is NULL or empty. 0, or 125 after a message on a bad template. */
int table_print(json_t *rows, const char *format, json_t *headers, const char *fallback);

#endif
