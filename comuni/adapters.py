from allauth.account.adapter import DefaultAccountAdapter


class AccountAdapter(DefaultAccountAdapter):
    def is_open_for_signup(self, request) -> bool:
        # Self-registration ("NON HAI UN ACCOUNT? REGISTRATI") arrives with identity linking.
        return False
