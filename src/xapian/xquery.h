/* xquery.h — morgue's query AST (query/parser.h) translated into a Xapian
 * query over the terms xbackend.h writes. */
#ifndef MG_XAPIAN_XQUERY_H
#define MG_XAPIAN_XQUERY_H

#include <stddef.h>

#include "analysis/analyzer.h"
#include "query/parser.h"
#include "util/err.h"
#include "xapian/xapian_c.h"
#include "xapian/xsnip.h"

/* Builds *out from root (NULL root, or a tree that analyzes to nothing:
 * *out = NULL, MG_OK).  db is used to expand word* prefixes.  sn (may be
 * NULL) receives the query's snippet units (xsnip.h).  When a node
 * cannot be expressed in Xapian, returns MG_EUNSUPPORTED with a message
 * saying why and *off = the node's byte offset in the query (otherwise
 * *off is left alone). */
int xq_build(const qnode *root, analyzer *an, xap_db *db, xsnip *sn, xap_query **out,
             errbuf *e, size_t *off);

#endif
