/* fuzz_query.c — libFuzzer target for the query parser: any bytes must
 * parse or fail with MG_ESYNTAX and a column inside the query, never crash,
 * leak or read out of bounds.  Build and run: make fuzz / make fuzz-short. */
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include "query/parser.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
    /* A copy without a terminator, so reads past the end are caught. */
    char *q = malloc(size ? size : 1);
    if (!q)
        return 0;
    if (size)
        memcpy(q, data, size);
    for (int mode = 0; mode < 2; mode++) {
        qast *ast = NULL;
        errbuf e;
        size_t col = 0;
        int rc = qparse(q, size, mode, &ast, &e, &col);
        if (rc == MG_OK) {
            buf b;
            buf_init(&b);
            qnode_dump(qast_root(ast), &b);
            buf_free(&b);
            qast_free(ast);
        } else if (rc == MG_ESYNTAX) {
            if (col < 1 || e.msg[0] == '\0' || ast != NULL)
                abort(); /* an error must say where and what */
        } else if (rc != MG_ENOMEM) {
            abort();
        }
    }
    free(q);
    return 0;
}
