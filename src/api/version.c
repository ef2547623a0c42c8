/* version.c — mg_version and mg_strerror. */
#include "morgue.h"

const char *mg_version(void) { return MORGUE_VERSION; }

const char *mg_strerror(int code)
{
    switch (code) {
    case MG_OK:           return "ok";
    case MG_ENOTFOUND:    return "not found";
    case MG_EINVAL:       return "invalid argument";
    case MG_ESYNTAX:      return "query syntax error";
    case MG_EIO:          return "I/O error";
    case MG_ECORRUPT:     return "index corrupt";
    case MG_EVERSION:     return "unsupported format version";
    case MG_ELOCKED:      return "index locked by another writer";
    case MG_ENOMEM:       return "out of memory";
    case MG_EREADONLY:    return "index opened read-only";
    case MG_EUNSUPPORTED: return "not supported";
    case MG_EEXISTS:      return "already exists";
    case MG_EINTERRUPTED: return "interrupted";
    default:              return "unknown error";
    }
}
