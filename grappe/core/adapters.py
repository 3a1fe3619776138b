from allauth.account.adapter import DefaultAccountAdapter


class AccountAdapter(DefaultAccountAdapter):
    """Accounts come from invitations: open sign-up is closed."""

    def is_open_for_signup(self, request) -> bool:
        return False
