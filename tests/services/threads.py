"""Run the same action in several threads at one moment, each with its own database connection."""

import threading

from django.db import connection

JOIN_TIMEOUT = 30


def at_once(action, arguments):
    """Run action(argument) in one thread per argument, released together by a barrier; each thread
    has its own database connection. Returns {argument: result or exception}."""
    barrier = threading.Barrier(len(arguments), timeout=10)
    outcomes = {}

    def run(argument):
        try:
            connection.ensure_connection()  # connect first, so both start their checks together
            barrier.wait()
            outcomes[argument] = action(argument)
        except Exception as error:  # recorded and asserted by the caller
            outcomes[argument] = error
        finally:
            connection.close()

    threads = [threading.Thread(target=run, args=(argument,)) for argument in arguments]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join(timeout=JOIN_TIMEOUT)
    assert [thread.is_alive() for thread in threads] == [False] * len(threads)
    return outcomes
