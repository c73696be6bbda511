//! Plan documents in, structured plan out. Pure: no database, no async, no I/O beyond the bytes given.
