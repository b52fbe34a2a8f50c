/* FreeBSD: include/pthread.h, sys/sys/_pthreadtypes.h (opaque handles) */
#ifndef _PTHREAD_H_
#define _PTHREAD_H_
#include <sys/types.h>
typedef struct pthread		*pthread_t;
typedef struct pthread_attr	*pthread_attr_t;
typedef struct pthread_mutex	*pthread_mutex_t;
typedef struct pthread_mutex_attr *pthread_mutexattr_t;
typedef struct pthread_cond	*pthread_cond_t;
typedef struct pthread_cond_attr *pthread_condattr_t;
typedef int			 pthread_key_t;
typedef struct pthread_once {
	int		 state;
	pthread_mutex_t	 mutex;
} pthread_once_t;
#define PTHREAD_MUTEX_INITIALIZER	NULL
#define PTHREAD_ONCE_INIT		{ 0, NULL }
int	pthread_create(pthread_t *, const pthread_attr_t *,
	    void *(*)(void *), void *);
int	pthread_join(pthread_t, void **);
int	pthread_detach(pthread_t);
pthread_t pthread_self(void);
int	pthread_mutex_lock(pthread_mutex_t *);
int	pthread_mutex_unlock(pthread_mutex_t *);
int	pthread_once(pthread_once_t *, void (*)(void));
int	pthread_sigmask(int, const void *, void *);
#endif
