//! Every Redis 7.0 configuration parameter: name, aliases, default, bounds, parsing and
//! formatting; redis.conf and command-line parsing; CONFIG GET/SET/RESETSTAT/REWRITE.
