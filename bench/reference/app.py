"""The original service's three auth endpoints, rebuilt as it was, for `pnpm bench --reference`.

FastAPI with synchronous endpoints (run in its thread pool), SQLAlchemy 1.4 ORM sessions over
psycopg2 (the default pool: 5 connections, 10 more on demand), passlib's CryptContext with bcrypt
at 12 rounds, python-jose HS256 tokens with `sub` (the email) and `exp`, and the original schema
(docs/../shared spec, "The original schema (seed)") created by SQLAlchemy column for column.
Debian's packages only: python3-fastapi python3-sqlalchemy python3-passlib python3-bcrypt
python3-jose python3-uvicorn python3-psycopg2.

Run by the bench harness (bench/src/phases/reference.ts):
  python3 app.py seed      DATABASE_URL on stdin's first line, then one email a line: creates the
                           tables and the users, all with one bcrypt hash of REFERENCE_PASSWORD
  python3 app.py serve     uvicorn on 127.0.0.1:PORT, one process, as `uvicorn main:app` ran it

Differences from the original, each because a Debian package is missing or to measure the same
thing: `email` is a plain string (pydantic's EmailStr needs email-validator), and the access log
is off (the API under test logs at warn).
"""

import os
import sys
from datetime import datetime, timedelta

from fastapi import Depends, FastAPI, HTTPException, status
from fastapi.security import OAuth2PasswordBearer, OAuth2PasswordRequestForm
from jose import JWTError, jwt
from passlib.context import CryptContext
from pydantic import BaseModel
from sqlalchemy import Boolean, Column, DateTime, ForeignKey, Integer, String, Text, create_engine, func, true
from sqlalchemy.orm import Session, declarative_base, sessionmaker

SECRET_KEY = os.environ.get("SECRET_KEY", "")
ALGORITHM = "HS256"
ACCESS_TOKEN_EXPIRE_MINUTES = int(os.environ.get("ACCESS_TOKEN_EXPIRE_MINUTES", "60"))

Base = declarative_base()


class User(Base):
    __tablename__ = "users"
    id = Column(Integer, primary_key=True, index=True)
    email = Column(String(255), unique=True, index=True, nullable=False)
    hashed_password = Column(String(255), nullable=False)
    is_active = Column(Boolean, default=True, server_default=true(), nullable=False)
    created_at = Column(DateTime(timezone=True), server_default=func.now(), nullable=False)


class Client(Base):
    __tablename__ = "clients"
    id = Column(Integer, primary_key=True, index=True)
    name = Column(String(255), nullable=False, index=True)
    phone = Column(String(50), nullable=False, index=True)


class Appointment(Base):
    __tablename__ = "appointments"
    id = Column(Integer, primary_key=True, index=True)
    client_id = Column(Integer, ForeignKey("clients.id", ondelete="CASCADE"), nullable=False, index=True)
    starts_at = Column(DateTime(timezone=True), nullable=False)
    ends_at = Column(DateTime(timezone=True), nullable=False)
    notes = Column(Text, nullable=True)


pwd_context = CryptContext(schemes=["bcrypt"], deprecated="auto", bcrypt__rounds=12)


def make_engine(url):
    return create_engine(url.replace("postgres://", "postgresql+psycopg2://", 1))


class UserCreate(BaseModel):
    email: str
    password: str


class UserOut(BaseModel):
    id: int
    email: str
    is_active: bool
    created_at: datetime

    class Config:
        orm_mode = True


class Token(BaseModel):
    access_token: str
    token_type: str


def create_app(url):
    engine = make_engine(url)
    SessionLocal = sessionmaker(autocommit=False, autoflush=False, bind=engine)
    oauth2_scheme = OAuth2PasswordBearer(tokenUrl="/v1/auth/login")
    app = FastAPI(title="AgentCaller (original)")

    def get_db():
        db = SessionLocal()
        try:
            yield db
        finally:
            db.close()

    def get_current_user(token: str = Depends(oauth2_scheme), db: Session = Depends(get_db)):
        credentials_exception = HTTPException(
            status_code=status.HTTP_401_UNAUTHORIZED,
            detail="Could not validate credentials",
            headers={"WWW-Authenticate": "Bearer"},
        )
        try:
            payload = jwt.decode(token, SECRET_KEY, algorithms=[ALGORITHM])
            email = payload.get("sub")
            if email is None:
                raise credentials_exception
        except JWTError:
            raise credentials_exception
        user = db.query(User).filter(User.email == email).first()
        if user is None:
            raise credentials_exception
        return user

    @app.post("/v1/auth/register", response_model=UserOut, status_code=201)
    def register(body: UserCreate, db: Session = Depends(get_db)):
        email = body.email.strip().lower()
        if db.query(User).filter(User.email == email).first():
            raise HTTPException(status_code=409, detail="Email already registered")
        user = User(email=email, hashed_password=pwd_context.hash(body.password))
        db.add(user)
        db.commit()
        db.refresh(user)
        return user

    @app.post("/v1/auth/login", response_model=Token)
    def login(form: OAuth2PasswordRequestForm = Depends(), db: Session = Depends(get_db)):
        user = db.query(User).filter(User.email == form.username.strip().lower()).first()
        if not user or not pwd_context.verify(form.password, user.hashed_password):
            raise HTTPException(
                status_code=status.HTTP_401_UNAUTHORIZED,
                detail="Incorrect email or password",
                headers={"WWW-Authenticate": "Bearer"},
            )
        if not user.is_active:
            raise HTTPException(status_code=403, detail="Inactive user")
        expire = datetime.utcnow() + timedelta(minutes=ACCESS_TOKEN_EXPIRE_MINUTES)
        token = jwt.encode({"sub": user.email, "exp": expire}, SECRET_KEY, algorithm=ALGORITHM)
        return {"access_token": token, "token_type": "bearer"}

    @app.get("/v1/auth/me", response_model=UserOut)
    def me(current_user: User = Depends(get_current_user)):
        return current_user

    @app.get("/health")
    def health():
        return {"status": "ok"}

    return app


def seed():
    lines = [line.strip() for line in sys.stdin if line.strip()]
    url, emails = lines[0], lines[1:]
    engine = make_engine(url)
    Base.metadata.create_all(engine)
    hashed = pwd_context.hash(os.environ["REFERENCE_PASSWORD"])
    with engine.begin() as connection:
        connection.execute(User.__table__.delete())
        connection.execute(User.__table__.insert(), [{"email": e, "hashed_password": hashed} for e in emails])
    print(f"seeded {len(emails)} users")


def serve():
    import uvicorn

    if len(SECRET_KEY) < 32:
        sys.exit("SECRET_KEY: at least 32 characters")
    app = create_app(os.environ["DATABASE_URL"])
    uvicorn.run(app, host="127.0.0.1", port=int(os.environ["PORT"]), access_log=False, log_level="warning")


if __name__ == "__main__":
    {"seed": seed, "serve": serve}[sys.argv[1]]()
