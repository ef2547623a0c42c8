/* reader_internal.h — what the writer needs of a reader beyond index.h. */
#ifndef MG_INDEX_READER_INTERNAL_H
#define MG_INDEX_READER_INTERNAL_H

#include "index/segment.h"

/* The manifest the reader was opened from. */
const manifest *reader_manifest(const ix_reader *r);

#endif
