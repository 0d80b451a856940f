/* Connection deadlines: a watchdog thread cuts off slow requests. */
#include "http/guard.h"

#include <pthread.h>
#include <stdatomic.h>
#include <stdint.h>
#include <stdlib.h>
#include <sys/socket.h>
#include <time.h>

#include "core/alloc.h"

/* How often the watchdog looks, in milliseconds. */
#define GUARD_TICK_MS 250

/*
 * One open connection. The list is only touched under the guard's lock
 * (when a connection opens or closes, and by the watchdog); `reading` and
 * `deadline` change twice per request, so they are atomics written
 * without the lock: a lock taken by both server threads for every
 * request made one wait whenever the other was descheduled holding it,
 * milliseconds in the latency tail. The watchdog reads `reading` first
 * (acquire), which the server thread writes last (release), so it never
 * pairs a new request's flag with the old deadline.
 */
struct guard_conn {
	struct guard_conn *prev, *next;
	int fd;
	atomic_int reading;        /* a request is being read */
	int cut;                   /* the socket has been shut down */
	_Atomic int64_t deadline;  /* monotonic milliseconds */
};

struct http_guard {
	pthread_mutex_t lock;
	pthread_cond_t wake;
	pthread_t thread;
	int stop;
	int64_t timeout_ms;
	struct guard_conn head;    /* circular list sentinel */
};

static int64_t
now_ms(void)
{
	struct timespec ts;

	clock_gettime(CLOCK_MONOTONIC, &ts);
	return (int64_t)ts.tv_sec * 1000 + ts.tv_nsec / 1000000;
}

static void *
watchdog(void *arg)
{
	struct http_guard *g = arg;
	struct guard_conn *c;
	struct timespec ts;
	int64_t now;

	pthread_mutex_lock(&g->lock);
	while (!g->stop) {
		clock_gettime(CLOCK_MONOTONIC, &ts);
		ts.tv_nsec += GUARD_TICK_MS * 1000000L;
		if (ts.tv_nsec >= 1000000000L) {
			ts.tv_sec++;
			ts.tv_nsec -= 1000000000L;
		}
		pthread_cond_timedwait(&g->wake, &g->lock, &ts);
		now = now_ms();
		/*
		 * The list entry goes (under this lock) before libmicrohttpd
		 * closes the socket, so fd is still this connection's.
		 */
		for (c = g->head.next; c != &g->head; c = c->next)
			if (atomic_load_explicit(&c->reading,
			    memory_order_acquire) && !c->cut &&
			    now > atomic_load_explicit(&c->deadline,
			    memory_order_relaxed)) {
				shutdown(c->fd, SHUT_RDWR);
				c->cut = 1;
			}
	}
	pthread_mutex_unlock(&g->lock);
	return NULL;
}

struct http_guard *
guard_start(unsigned timeout)
{
	struct http_guard *g;
	pthread_condattr_t ca;

	g = bl_xcalloc(1, sizeof(*g));
	g->timeout_ms = (int64_t)timeout * 1000;
	g->head.next = g->head.prev = &g->head;
	pthread_mutex_init(&g->lock, NULL);
	pthread_condattr_init(&ca);
	pthread_condattr_setclock(&ca, CLOCK_MONOTONIC);
	pthread_cond_init(&g->wake, &ca);
	pthread_condattr_destroy(&ca);
	if (pthread_create(&g->thread, NULL, watchdog, g) != 0) {
		pthread_cond_destroy(&g->wake);
		pthread_mutex_destroy(&g->lock);
		free(g);
		return NULL;
	}
	return g;
}

void
guard_stop(struct http_guard *g)
{
	struct guard_conn *c, *next;

	if (g == NULL)
		return;
	pthread_mutex_lock(&g->lock);
	g->stop = 1;
	pthread_cond_signal(&g->wake);
	pthread_mutex_unlock(&g->lock);
	pthread_join(g->thread, NULL);
	for (c = g->head.next; c != &g->head; c = next) {
		next = c->next;
		free(c);
	}
	pthread_cond_destroy(&g->wake);
	pthread_mutex_destroy(&g->lock);
	free(g);
}

void
guard_notify(void *cls, struct MHD_Connection *conn, void **socket_context,
    enum MHD_ConnectionNotificationCode code)
{
	struct http_guard *g = cls;
	struct guard_conn *c;
	const union MHD_ConnectionInfo *ci;

	if (code == MHD_CONNECTION_NOTIFY_STARTED) {
		ci = MHD_get_connection_info(conn,
		    MHD_CONNECTION_INFO_CONNECTION_FD);
		if (ci == NULL)
			return;
		c = bl_xcalloc(1, sizeof(*c));
		c->fd = ci->connect_fd;
		atomic_init(&c->deadline, now_ms() + g->timeout_ms);
		atomic_init(&c->reading, 1);
		pthread_mutex_lock(&g->lock);
		c->next = g->head.next;
		c->prev = &g->head;
		c->next->prev = c;
		g->head.next = c;
		pthread_mutex_unlock(&g->lock);
		*socket_context = c;
	} else if (code == MHD_CONNECTION_NOTIFY_CLOSED &&
	    (c = *socket_context) != NULL) {
		pthread_mutex_lock(&g->lock);
		c->prev->next = c->next;
		c->next->prev = c->prev;
		pthread_mutex_unlock(&g->lock);
		free(c);
		*socket_context = NULL;
	}
}

static struct guard_conn *
guard_find(struct MHD_Connection *conn)
{
	const union MHD_ConnectionInfo *ci;

	ci = MHD_get_connection_info(conn,
	    MHD_CONNECTION_INFO_SOCKET_CONTEXT);
	return ci != NULL ? ci->socket_context : NULL;
}

void
guard_request_read(struct http_guard *g, struct MHD_Connection *conn)
{
	struct guard_conn *c = guard_find(conn);

	if (g == NULL || c == NULL)
		return;
	atomic_store_explicit(&c->reading, 0, memory_order_release);
}

void
guard_request_done(struct http_guard *g, struct MHD_Connection *conn)
{
	struct guard_conn *c = guard_find(conn);

	if (g == NULL || c == NULL)
		return;
	atomic_store_explicit(&c->deadline, now_ms() + g->timeout_ms,
	    memory_order_relaxed);
	atomic_store_explicit(&c->reading, 1, memory_order_release);
}
