/* api_internal.h — what the public API's source files share. */
#ifndef MG_API_INTERNAL_H
#define MG_API_INTERNAL_H

#include "morgue.h"

/* The index directory of an open handle. */
const char *mgi_index_dir(const mg_index *ix);

#endif
