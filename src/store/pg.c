/* The PostgreSQL backend (being written). */
#include "store/store_int.h"

int
store_pg_open(const char *url, struct store **out, struct bl_err *err)
{
	*out = NULL;
	return bl_errf(err, "cannot open database: the postgresql backend is "
	    "not built yet");
}
