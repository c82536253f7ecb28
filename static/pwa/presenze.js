/* Offline attendance queue: see below. */
