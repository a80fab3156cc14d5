#!/bin/sh
# hello -- the simplest jux example.
echo "Hello from jux!"
