"""Who may do what: accounts with roles, Argon2 passwords, API tokens for machines, sessions
for browsers, and masking of personal data for roles that need not see it."""

from .masking import mask_call, mask_score, mask_text, mask_transcript
from .passwords import MIN_LENGTH, WeakPassword
from .roles import ROLE_NAMES, Role, RoleName, permissions, role
from .throttle import LoginThrottle, TooManyAttempts
from .users import ApiToken, User, UserError, UserStore

__all__ = [
    "MIN_LENGTH",
    "ROLE_NAMES",
    "ApiToken",
    "LoginThrottle",
    "Role",
    "RoleName",
    "TooManyAttempts",
    "User",
    "UserError",
    "UserStore",
    "WeakPassword",
    "mask_call",
    "mask_score",
    "mask_text",
    "mask_transcript",
    "permissions",
    "role",
]
