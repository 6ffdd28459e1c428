"""Staff accounts: creating them, changing passwords and checking logins in constant time."""

from __future__ import annotations

import logging

from sqlalchemy import select
from sqlalchemy.orm import Session
from werkzeug.security import check_password_hash, generate_password_hash

from .models import StaffUser

logger = logging.getLogger(__name__)

# Checked against when the user does not exist, so a wrong name costs as long as a wrong password.
_DUMMY_HASH = generate_password_hash("not-a-real-password")


def set_staff_user(session: Session, username: str, password: str) -> StaffUser:
    """Creates the staff account `username`, or sets its password and re-activates it; the caller commits.

    Raises:
        ValueError: the name or the password is empty.
    """
    username = username.strip()
    if not username or not password:
        raise ValueError("staff user name and password must not be empty")
    user = session.execute(select(StaffUser).where(StaffUser.username == username)).scalar_one_or_none()
    if user is None:
        user = StaffUser(username=username)
        session.add(user)
    user.password_hash = generate_password_hash(password)
    user.active = True
    session.flush()
    logger.info("backoffice.staff_user_set id=%s", user.id)
    return user


def authenticate(session: Session, username: str, password: str) -> StaffUser | None:
    """The active staff user with this name and password, or None."""
    user = session.execute(select(StaffUser).where(StaffUser.username == username)).scalar_one_or_none()
    if user is None:
        check_password_hash(_DUMMY_HASH, password)
        return None
    if not check_password_hash(user.password_hash, password) or not user.active:
        return None
    return user
