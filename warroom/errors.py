"""The one error type every layer raises for bad input: a message a person can act on."""


class WarroomError(Exception):
    """A problem with input (a playbook, argument, time, file or database), said in one line.

    `exit_code` is what the command line exits with: 2 for bad usage or input, 1 for a failed check.
    """

    def __init__(self, message: str, exit_code: int = 2) -> None:
        super().__init__(message)
        self.message = message
        self.exit_code = exit_code

    def __str__(self) -> str:
        return self.message
